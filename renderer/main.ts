// Renderer entry: creates the Vue app with Pinia and connects the engine adapter for this host.
import { createApp } from 'vue';
import { createPinia } from 'pinia';
import '@xterm/xterm/css/xterm.css';
import './styles/theme.css';
import App from './App.vue';
import { createAdapter, onConnectionLost } from './adapter/engine-adapter';
import { useEngineStore } from './stores/engine';

const app = createApp(App);
app.use(createPinia());
const engine = useEngineStore();
onConnectionLost((reason) => engine.lost(reason));
void engine.connect(createAdapter());
app.mount('#app');
