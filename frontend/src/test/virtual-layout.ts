// jsdom has no layout, so a virtualised list (@tanstack/react-virtual) would see a 0 px viewport
// and 0 px rows. As the library's docs suggest for tests, this fakes element sizes: scroll
// containers (data-testid ending in "-scroller") are `viewport` px high, virtual rows (data-index)
// `row` px, a scroller's content as high as its list's inline height, and scrollTop/scrollTo
// move within that (firing "scroll" when they move). Call in the test; vi.restoreAllMocks() undoes it.
import { vi } from 'vitest';

export function mockVirtualLayout({ viewport = 600, row = 80 } = {}) {
  const tops = new WeakMap<Element, number>();
  const isScroller = (el: Element) =>
    (el as HTMLElement).dataset?.testid?.endsWith('-scroller') ?? false;
  const contentHeight = (el: Element) => {
    const list = el.querySelector<HTMLElement>('ol, ul');
    return (list ? parseFloat(list.style.height) || 0 : 0) + 100; // + the rows above and below it
  };
  const maxTop = (el: Element) => Math.max(0, contentHeight(el) - viewport);

  vi.spyOn(Element.prototype, 'clientHeight', 'get').mockImplementation(function (this: Element) {
    return isScroller(this) ? viewport : 0;
  });
  vi.spyOn(HTMLElement.prototype, 'offsetHeight', 'get').mockImplementation(function (
    this: HTMLElement,
  ) {
    return this.dataset.index !== undefined ? row : 0;
  });
  vi.spyOn(Element.prototype, 'scrollHeight', 'get').mockImplementation(function (this: Element) {
    return isScroller(this) ? contentHeight(this) : 0;
  });
  vi.spyOn(Element.prototype, 'scrollTop', 'get').mockImplementation(function (this: Element) {
    return tops.get(this) ?? 0;
  });
  vi.spyOn(Element.prototype, 'scrollTop', 'set').mockImplementation(function (
    this: Element,
    value: number,
  ) {
    tops.set(this, Math.min(Math.max(0, value), maxTop(this)));
  });
  const scrollTo = function (this: Element, options?: ScrollToOptions | number) {
    const top = typeof options === 'number' ? options : (options?.top ?? 0);
    const before = this.scrollTop;
    this.scrollTop = top;
    // as in a browser, only a scroll that moves fires "scroll"
    if (this.scrollTop !== before) this.dispatchEvent(new Event('scroll'));
  };
  Element.prototype.scrollTo = scrollTo;

  /** Scrolls an element as a reader would: moves it and fires "scroll". */
  return (el: Element, top: number) => scrollTo.call(el, top);
}
