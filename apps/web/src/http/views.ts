import { dirname, join } from 'node:path';
import * as nunjucks from 'nunjucks';
import type { AppConfig } from '@slp/platform';

/** Where the design system's compiled CSS, JS and images are served from (its templates' default `assetPath`). */
export const ASSETS_PREFIX = '/assets';

const NHSUK_PACKAGE = dirname(require.resolve('nhsuk-frontend/package.json'));
const NHSUK_VERSION = (require('nhsuk-frontend/package.json') as { version: string }).version;

/** The portal's own templates: apps/web/views, copied beside the compiled code by the build. */
export const VIEWS_DIR = join(__dirname, '..', '..', 'views');

/** File names the layout links to: the package ships them compiled and minified, with its version in the name. */
export const NHSUK_CSS = `${ASSETS_PREFIX}/nhsuk-frontend-${NHSUK_VERSION}.min.css`;
export const NHSUK_JS = `${ASSETS_PREFIX}/nhsuk-frontend-${NHSUK_VERSION}.min.js`;

/**
 * The package's compiled files (dist/nhsuk) and its images and manifest (dist/nhsuk/assets), both
 * served under /assets as its CSS and templates expect — and nothing else of it (no templates, no
 * Sass sources).
 */
export function nhsukAssets(): { root: string[]; allowedPath: (pathName: string) => boolean } {
  const compiled = new Set([`/nhsuk-frontend-${NHSUK_VERSION}.min.css`, `/nhsuk-frontend-${NHSUK_VERSION}.min.js`, `/nhsuk-frontend-${NHSUK_VERSION}.min.js.map`, '/manifest.json']);
  const dist = join(NHSUK_PACKAGE, 'dist', 'nhsuk');
  return {
    root: [join(dist, 'assets'), dist],
    allowedPath: (pathName) => compiled.has(pathName) || /^\/images\/[\w.-]+\.(svg|png|ico)$/.test(pathName),
  };
}

/**
 * Nunjucks, searching the design system's templates (so `nhsuk/components/.../macro.njk` and
 * `nhsuk/template.njk` resolve) and then the portal's own. Autoescaping stays on; templates are
 * cached except in development.
 */
export function viewEngineOptions(config: AppConfig) {
  return {
    engine: { nunjucks },
    templates: [join(NHSUK_PACKAGE, 'dist'), VIEWS_DIR],
    production: config.env !== 'development',
    defaultContext: {
      serviceName: 'System Leadership Platform',
      nhsukCss: NHSUK_CSS,
      nhsukJs: NHSUK_JS,
      assetPath: ASSETS_PREFIX,
      // The sign-in page's "Sign in with <label>" buttons, in OIDC_PROVIDERS order.
      ssoProviders: config.oidc.providers.map(({ name, label }) => ({ name, label })),
    },
    options: { autoescape: true, throwOnUndefined: false, noCache: config.env === 'development' },
  };
}
