// Headless Chromium (Debian's package) driven by playwright-core, for the browser tests: pages that fail on console
// errors, axe-core checks in the page, and screenshots at desktop and phone width into .artifacts/screenshots.
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { repoRoot } from '@globalmart/devstack';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { CHROMIUM } from '../../packages/devstack/src/web.ts';

/** Git-ignored: every page at desktop and phone width, rewritten by each run. */
export const screenshotDir = join(repoRoot, '.artifacts', 'screenshots');
export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export function launchChromium(): Promise<Browser> {
  // Without the background networking and component updates, Chromium stalls trying to reach Google's servers.
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
}

/** A page whose console errors and uncaught exceptions are collected (the tests expect none). */
export async function openPage(browser: Browser, baseURL: string): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ baseURL, viewport: DESKTOP });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`${page.url()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`${page.url()}: ${err.message}`));
  return { page, errors };
}

export interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

/** axe-core's WCAG 2.1 A/AA rules on the page as it is: the serious and critical violations. */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated through the DevTools protocol, which the page's CSP does not govern (a <script> tag would be refused).
  await page.evaluate(axeSource);
  return page.evaluate(`axe
    .run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
    .then((r) => r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) })))`);
}

/** Screenshots of the page at desktop and phone width (full page), then back to desktop; resolves to their paths. */
export async function screenshots(page: Page, name: string): Promise<string[]> {
  mkdirSync(screenshotDir, { recursive: true });
  const paths: string[] = [];
  for (const [label, size] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ] as const) {
    await page.setViewportSize(size);
    const path = join(screenshotDir, `${name}-${label}.png`);
    await page.screenshot({ path, fullPage: true });
    paths.push(path);
  }
  await page.setViewportSize(DESKTOP);
  return paths;
}

/** Whether the page is wider than the phone's screen (content that forces sideways scrolling). */
export async function overflowsPhone(page: Page): Promise<boolean> {
  await page.setViewportSize(PHONE);
  // Charts follow their container a frame or two after a resize: wait for the page to fit, up to a few seconds.
  // (page.evaluate goes through the DevTools protocol; waitForFunction would eval in the page, which the CSP refuses.)
  const fitsNow = () => page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth + 1');
  const fits = await expect
    .poll(fitsNow, { timeout: 5_000, interval: 100 })
    .toBe(true)
    .then(
      () => true,
      () => false,
    );
  await page.setViewportSize(DESKTOP);
  return !fits;
}
