// The shop's accent colour, made readable: text on the accent (launcher, the shopper's bubbles)
// is white or near-black, whichever contrasts more, and links drawn in the accent are darkened
// until they reach WCAG AA (4.5:1) on the panel's backgrounds.

export type Rgb = [number, number, number];

export const DEFAULT_ACCENT = "#2563eb";
/** The bubble background links must be readable on (the lighter panel background passes then too). */
const BUBBLE: Rgb = [243, 244, 246];
// Black, not a softer near-black: with white, one of the two reaches 4.58:1 on any colour.
const BLACK: Rgb = [0, 0, 0];
const WHITE: Rgb = [255, 255, 255];

export interface Theme {
  accent: string;
  onAccent: string;
  link: string;
}

/** `#rgb`, `#rrggbb` (alpha ignored) or `rgb()/rgba()` as numbers; `undefined` otherwise. */
export function parseRgb(value: string): Rgb | undefined {
  const hex = value.trim().match(/^#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i);
  if (hex) {
    const h = hex[1].length <= 4 ? [...hex[1]].map((c) => c + c).join("") : hex[1];
    return [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16)) as Rgb;
  }
  const fn = value.match(/^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)/i);
  if (fn) return [1, 2, 3].map((i) => Math.min(255, Math.round(Number(fn[i])))) as Rgb;
  return undefined;
}

/** WCAG relative luminance. */
export function luminance([r, g, b]: Rgb): number {
  const channel = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

/** WCAG contrast ratio of two colours (1 to 21). */
export function contrast(a: Rgb, b: Rgb): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

const hex = (rgb: Rgb) => "#" + rgb.map((c) => c.toString(16).padStart(2, "0")).join("");

/** The theme for an accent given as RGB. */
export function themeOf(accent: Rgb, accentCss = hex(accent)): Theme {
  const onAccent = contrast(WHITE, accent) >= contrast(BLACK, accent) ? "#ffffff" : "#000000";
  let link = accent;
  // Mix toward black in small steps until readable: keeps the hue of the shop's colour.
  for (let i = 0; i < 20 && contrast(link, BUBBLE) < 4.5; i++) {
    link = link.map((c) => Math.round(c * 0.88)) as Rgb;
  }
  return { accent: accentCss, onAccent, link: hex(link) };
}

/** The theme for a CSS colour: resolved to RGB by a canvas when the browser has one. */
export function resolveTheme(color: string | undefined): Theme {
  const rgb = color ? (parseRgb(color) ?? canvasRgb(color)) : parseRgb(DEFAULT_ACCENT)!;
  if (!rgb) return themeOf(parseRgb(DEFAULT_ACCENT)!);
  return themeOf(rgb, color ?? DEFAULT_ACCENT);
}

function canvasRgb(color: string): Rgb | undefined {
  try {
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 1;
    const context = canvas.getContext("2d", { willReadFrequently: true });
    if (!context) return undefined;
    context.fillStyle = "#fff";
    context.fillRect(0, 0, 1, 1);
    context.fillStyle = color;
    context.fillRect(0, 0, 1, 1);
    const [r, g, b] = context.getImageData(0, 0, 1, 1).data;
    return [r, g, b];
  } catch {
    return undefined;
  }
}
