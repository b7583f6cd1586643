import { describe, expect, it } from "vitest";
import { backoffDelay } from "./backoff";

describe("backoffDelay", () => {
  it("doubles from the base, with jitter in [0.5, 1)", () => {
    expect(backoffDelay(0, undefined, () => 0)).toBe(500);
    expect(backoffDelay(0, undefined, () => 0.99)).toBeLessThan(1000);
    expect(backoffDelay(1, undefined, () => 0)).toBe(1000);
    expect(backoffDelay(3, undefined, () => 0)).toBe(4000);
  });

  it("is capped", () => {
    expect(backoffDelay(10, undefined, () => 0.999)).toBeLessThanOrEqual(30_000);
    expect(backoffDelay(1e9, undefined, () => 0)).toBe(15_000);
    expect(backoffDelay(4, undefined, () => 0, { base: 100, max: 800 })).toBe(400);
  });

  it("waits at least Retry-After", () => {
    expect(backoffDelay(0, 5, () => 0)).toBe(5000);
    expect(backoffDelay(6, 1, () => 0)).toBe(15_000);
  });
});
