() => {
  // WCAG 2.x contrast of every visible text and control of the page, evaluated in the browser by
  // tests/web/test_accessibility.py: colours are alpha-blended over the nearest opaque background.
  // Returns {failures: [...], checked: {text, controls}}.
  const parse = (text) => {
    const m = /rgba?\(([^)]+)\)/.exec(text);
    if (!m) return null;
    const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  const over = (top, bottom) => [0, 1, 2].map((i) => top[i] * top[3] + bottom[i] * (1 - top[3])).concat(1);
  const behind = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let color = [255, 255, 255, 1];
    for (const layer of layers.reverse()) color = over(layer, color);
    return color;
  };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const name = (el) => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className && typeof el.className === 'string' ? '.' + el.className.trim().replace(/\s+/g, '.') : ''}`;
  const failures = [];
  const checked = { text: 0, controls: 0 };
  for (const el of document.querySelectorAll('body *')) {
    if (!el.checkVisibility({ opacityProperty: true, visibilityProperty: true }) || el.closest(':disabled')) continue;
    const style = getComputedStyle(el);
    const text = [...el.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join('').trim();
    const isField = el.matches('input:not([type=checkbox]):not([type=range]), select, textarea');
    if (text || (isField && el.value)) {
      const bg = behind(el);
      const size = parseFloat(style.fontSize);
      const large = size >= 24 || (Number(style.fontWeight) >= 700 && size >= 18.66);
      const r = ratio(over(parse(style.color), bg), bg);
      checked.text += 1;
      if (r < (large ? 3 : 4.5)) failures.push(`text ${name(el)} "${(text || el.value).slice(0, 24)}" ${r.toFixed(2)}`);
    }
    // Non-text contrast (1.4.11): the border that shows where a control is, against what is around it.
    if (el.matches('input:not([type=checkbox]):not([type=range]), select, textarea, button:not(.link), .downloads a, canvas')) {
      const border = parse(style.borderTopColor);
      const outside = behind(el.parentElement);
      const inside = behind(el);
      const filled = ratio(inside, outside);
      const edge = style.borderTopStyle === 'none' || parseFloat(style.borderTopWidth) === 0
        ? filled : Math.max(ratio(over(border, outside), outside), filled);
      checked.controls += 1;
      if (edge < 3) failures.push(`control ${name(el)} ${edge.toFixed(2)}`);
    }
  }
  // The focus ring against the page behind it.
  const ring = parse(getComputedStyle(document.documentElement).getPropertyValue('--focus').trim().replace(/^#(..)(..)(..)$/, (_, r, g, b) => `rgb(${parseInt(r, 16)}, ${parseInt(g, 16)}, ${parseInt(b, 16)})`));
  for (const place of [document.body, document.querySelector('.panel')]) {
    const r = ratio(ring, behind(place));
    if (r < 3) failures.push(`focus ring on ${name(place)} ${r.toFixed(2)}`);
  }
  return { failures, checked };
}
