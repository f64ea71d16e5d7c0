// Checks of the page's layout that run inside the page (pass them to evaluate in any of
// the three engines' drivers).

/**
 * What is wrong with the charts' statistics at this width, as sentences (none: fine).
 * No piece of text of a label (dt) or a value (dd: the number, and its unit in a span)
 * may run over two lines, so that nothing breaks inside a number or a unit ("co/res",
 * "239.44920/67"; the unit may go under its number); each must fit inside its box, and
 * the page must not scroll sideways.
 */
export function statsLayoutProblems() {
  const problems = [];
  const items = [...document.querySelectorAll("[data-testid=chart] .stats dt, [data-testid=chart] .stats dd")];
  if (items.length === 0) problems.push("no statistics on the page");
  for (const item of items) {
    const chart = item.closest("[data-testid=chart]").dataset.resource;
    const box = item.parentElement.getBoundingClientRect();
    const texts = document.createTreeWalker(item, NodeFilter.SHOW_TEXT);
    for (let node = texts.nextNode(); node; node = texts.nextNode()) {
      if (!node.data.trim()) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      const rects = [...range.getClientRects()].filter((r) => r.width > 0 && r.height > 0);
      if (rects.length === 0) continue;
      const what = `${chart} ${item.tagName.toLowerCase()} "${item.textContent}": "${node.data}"`;
      // A text on one line: all its pieces share a horizontal band.
      const top = Math.max(...rects.map((r) => r.top));
      const bottom = Math.min(...rects.map((r) => r.bottom));
      if (top >= bottom) problems.push(`${what} is broken over ${rects.length} lines`);
      const left = Math.min(...rects.map((r) => r.left));
      const right = Math.max(...rects.map((r) => r.right));
      if (left < box.left - 0.5 || right > box.right + 0.5) {
        const [from, to, width] = [left - box.left, right - box.left, box.width].map(Math.round);
        problems.push(`${what} does not fit its box (${from}..${to} px of ${width} px)`);
      }
    }
  }
  const page = document.documentElement;
  if (page.scrollWidth > page.clientWidth + 1) {
    problems.push(`the page scrolls sideways (${page.scrollWidth} px wide in ${page.clientWidth} px)`);
  }
  return problems;
}
