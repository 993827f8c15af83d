// Renderer entry: creates the Vue app with Pinia and connects the engine adapter for this host.
import { createApp } from 'vue';
import { createPinia } from 'pinia';
import '@xterm/xterm/css/xterm.css';
import './styles/theme.css';
import App from './App.vue';
import { createAdapter, onConnectionLost } from './adapter/engine-adapter';
import { useEngineStore } from './stores/engine';
import { useUiStore } from './stores/ui';
import { installErrorReporting } from './error-reporting';
import { useWorkspaceStore } from './stores/workspace';

const app = createApp(App);
app.use(createPinia());
installErrorReporting(app, window, (text) => useUiStore().notify('error', text));
const engine = useEngineStore();
onConnectionLost((reason) => engine.lost(reason));
const adapter = createAdapter();
// connect() attaches the adapter synchronously (App's onMounted registers menu listeners on it);
// workspace menu commands, autosave and the last session's restore wait for the engine's hello.
void engine.connect(adapter).then(() => (engine.connected ? useWorkspaceStore().install(adapter) : undefined));
app.mount('#app');
