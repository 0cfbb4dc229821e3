import fs from 'node:fs';
import { createRequire } from 'node:module';

/** uPlot's browser build and style sheet, read once from the `uplot` package, served as the console's assets. */
export interface VendorAssets {
  readonly uplotJs: string;
  readonly uplotCss: string;
}

let loaded: VendorAssets | undefined;

export function vendorAssets(): VendorAssets {
  if (loaded === undefined) {
    const require = createRequire(import.meta.url);
    const dist = (file: string) => fs.readFileSync(require.resolve(`uplot/dist/${file}`), 'utf8');
    loaded = { uplotJs: dist('uPlot.iife.min.js'), uplotCss: dist('uPlot.min.css') };
  }
  return loaded;
}
