// Type declarations for the renderer build: single-file components and Vite's asset imports.
declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}
declare module '*.css';
