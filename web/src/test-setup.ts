// Preact runs effects after the next frame, or 35 ms later where there are no frames (jsdom):
// longer than the tests' `settle` waits on a loaded machine, which made focus assertions flaky.
// As preact/test-utils does, effects run on the next task instead.
import { options } from "preact";

options.requestAnimationFrame = (callback) => setTimeout(callback, 0);
