/** The console's entry point (bundled by scripts/build-console.ts). */
import 'leaflet/dist/leaflet.css';
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { render } from 'preact';
import { App } from './app.tsx';
import { startI18n } from './i18n.ts';
import { interceptLinks } from './router.ts';

void startI18n().then(() => {
  interceptLinks();
  render(<App />, document.getElementById('app')!);
});
