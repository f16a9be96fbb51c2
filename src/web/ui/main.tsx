// The SPA's entry: mounts the app, in admin mode under /admin/.

import { render } from 'solid-js/web';
import { App } from './app.js';

const root = document.getElementById('root');
if (root !== null) render(() => <App area={location.pathname.startsWith('/admin') ? 'admin' : 'view'} />, root);
