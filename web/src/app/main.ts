import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { i18n } from '../lib/i18n/i18n.svelte.js';

// The first screen appears in the person's language: its catalogue (a small chunk, kept by the
// service worker) is fetched before mounting. English is already here.
await i18n.start();
const app = mount(App, { target: document.getElementById('app')! });
export default app;
