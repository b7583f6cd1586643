// jsdom has no canvas: the tests replace Chart.js with a recorder of what it was asked to draw.
export const drawn: { config: unknown }[] = [];
export class Chart {
  constructor(_canvas: unknown, config: unknown) {
    drawn.push({ config });
  }
  destroy() {}
}
