// Uncaught errors in the UI go to the notice bar, where the user is looking, not only to a devtools console.
import type { App } from 'vue';

function text(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Routes Vue render/handler errors, unhandled promise rejections and window errors to `notify`. */
export function installErrorReporting(app: App, target: Window, notify: (text: string) => void): void {
  app.config.errorHandler = (err, _instance, info) => {
    notify(`Internal error in the user interface (${info}): ${text(err)}`);
    // Developers still get the stack in the console; users get the notice.
    console.error(err);
  };
  target.addEventListener('unhandledrejection', (e: PromiseRejectionEvent) => notify(`Internal error in the user interface: ${text(e.reason)}`));
  target.addEventListener('error', (e: ErrorEvent) => notify(`Internal error in the user interface: ${e.message}`));
}
