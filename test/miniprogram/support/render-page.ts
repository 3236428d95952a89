/**
 * Renders a page's real WXML (miniprogram/pages/<p>/<p>.wxml) with a controller's view state in
 * miniprogram-simulate (jsdom environment), wiring the page's event handlers to the given methods; and
 * turns the rendered tree into a standalone HTML page (WXSS with rpx → px) for the screenshots.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import simulate from 'miniprogram-simulate';
import { REPO_ROOT } from '../../support/paths';

const MP = path.join(REPO_ROOT, 'miniprogram');

export type PageName = 'shop' | 'checkout' | 'orders' | 'order' | 'merchant' | 'me';

export interface RenderedPage {
  /** The j-component instance: querySelector(...).dispatchEvent('tap'), setData, dom. */
  comp: simulate.RootComponent<Record<string, unknown>, Record<string, never>, Record<string, never>>;
  /** The rendered text without whitespace (WXML text nodes are trimmed). */
  text(): string;
  /** How many rendered elements carry `className`. */
  count(className: string): number;
}

export function renderPage(
  page: PageName,
  data: object,
  methods: Record<string, (e: { currentTarget: { dataset: Record<string, unknown> } }) => unknown> = {},
): RenderedPage {
  const template = readFileSync(path.join(MP, 'pages', page, `${page}.wxml`), 'utf8');
  const id = simulate.load({
    template,
    data: structuredClone(data) as Record<string, unknown>,
    methods: methods as never,
  } as never);
  const comp = simulate.render(id) as unknown as RenderedPage['comp'];
  const doc = (globalThis as unknown as { document: { createElement(tag: string): unknown } }).document;
  comp.attach(doc.createElement('parent-wrapper') as never);
  return {
    comp,
    text: () => (comp.dom?.textContent ?? '').replace(/\s+/g, ''),
    count: (c) => comp.dom?.querySelectorAll(`.${c}`).length ?? 0,
  };
}

/** Waits for taps and setData to settle (j-component dispatches asynchronously). */
export const settle = () => simulate.sleep(5);

// ------------------------------------------------------------------------------------------ HTML

interface JsonNode {
  tagName: string;
  attrs: { name: string; value: unknown }[];
  children: (JsonNode | string)[];
}

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function toHtml(n: JsonNode | string): string {
  if (typeof n === 'string') return esc(n);
  const attr = (name: string) => n.attrs.find((a) => a.name === name)?.value;
  const cls = attr('class');
  const c = typeof cls === 'string' && cls ? ` class="${esc(cls)}"` : '';
  const inner = n.children.map(toHtml).join('');
  switch (n.tagName) {
    case 'wx-input':
      return `<input${c} value="${esc(String(attr('value') ?? ''))}" placeholder="${esc(String(attr('placeholder') ?? ''))}" readonly>`;
    case 'wx-button':
      return `<button${c}${attr('disabled') === true ? ' disabled' : ''}>${inner}</button>`;
    case 'wx-text':
      return `<span${c}>${inner}</span>`;
    default:
      return `<div${c}>${inner}</div>`;
  }
}

/** WXSS for a desktop browser: 750rpx = 375px, `page` is the root. */
function css(wxss: string): string {
  return wxss
    .replace(/(-?\d*\.?\d+)rpx/g, (_, n: string) => `${Number(n) / 2}px`)
    .replace(/^page\s*\{/m, '.wx-page {');
}

const TABS: Partial<Record<PageName, string>> = { shop: '点单', orders: '我的订单', me: '我的' };

/** A phone-sized page: navigation bar (the page's title), the rendered WXML, the tab bar on tab pages. */
export function pageHtml(page: PageName, rendered: RenderedPage): string {
  const json = JSON.parse(readFileSync(path.join(MP, 'pages', page, `${page}.json`), 'utf8')) as {
    navigationBarTitleText?: string;
  };
  const styles = [
    css(readFileSync(path.join(MP, 'app.wxss'), 'utf8')),
    css(readFileSync(path.join(MP, 'pages', page, `${page}.wxss`), 'utf8')),
  ].join('\n');
  const tree = rendered.comp.toJSON() as unknown as JsonNode;
  const tab = TABS[page];
  const tabBar = tab
    ? `<div class="tabbar">${Object.values(TABS)
        .map((t) => `<span class="${t === tab ? 'on' : ''}">${t}</span>`)
        .join('')}</div>`
    : '';
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><style>
html, body { margin: 0; width: 375px; }
body { font-family: "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif; }
button { display: block; width: 100%; border: 1px solid #ddd; border-radius: 5px; background: #f8f8f8; font-size: 16px; line-height: 2.4; margin: 0; font-family: inherit; }
button.small { width: auto; }
button[disabled] { opacity: .5; }
input { box-sizing: border-box; width: 100%; font: inherit; }
.nav { height: 44px; line-height: 44px; text-align: center; font-weight: 600; background: #fff; border-bottom: 1px solid #eee; }
.tabbar { display: flex; background: #fff; border-top: 1px solid #eee; }
.tabbar span { flex: 1; text-align: center; line-height: 48px; color: #666; font-size: 12px; }
.tabbar span.on { color: #07c160; }
${styles}
/* Full-page shots: the fixed bars sit at the end of the page, below the content. */
.wx-page { min-height: 100vh; display: flex; flex-direction: column; }
.content { flex: 1; display: flex; flex-direction: column; }
.content > .page { flex: 1; display: flex; flex-direction: column; }
.cart-bar { position: static !important; margin-top: auto; }
.page { padding-bottom: 0 !important; }
</style></head><body class="wx-page"><div class="nav">${esc(json.navigationBarTitleText ?? '')}</div><div class="content">${tree.children
    .map(toHtml)
    .join('')}</div>${tabBar}</body></html>`;
}
