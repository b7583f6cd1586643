// Small hooks the pages share: loading data with cancellation, a timer, the hash route.
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { parseRoute, type Route } from "./route";

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
  /** Replaces the data (after a change the server answered with the new state). */
  setData: (data: T | ((old: T | undefined) => T | undefined)) => void;
}

/**
 * Loads when `deps` change, cancelling the request before; `reload` loads again without
 * clearing what is shown, so a refresh does not flash.
 */
export function useLoad<T>(load: ((signal: AbortSignal) => Promise<T>) | null, deps: unknown[]): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(load !== null);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    const current = loadRef.current;
    if (!current) {
      setLoading(false);
      return;
    }
    const controller = new AbortController();
    setLoading(true);
    current(controller.signal).then(
      (value) => {
        if (controller.signal.aborted) return;
        setData(() => value);
        setError(null);
        setLoading(false);
      },
      (e: unknown) => {
        if (controller.signal.aborted) return;
        setError(e);
        setLoading(false);
      },
    );
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);

  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { data, error, loading, reload, setData: setData as Loaded<T>["setData"] };
}

/** Calls `fn` every `ms` while the page is visible. */
export function useInterval(fn: () => void, ms: number | null): void {
  const fnRef = useRef(fn);
  fnRef.current = fn;
  useEffect(() => {
    if (ms === null) return;
    const id = setInterval(() => {
      if (typeof document === "undefined" || document.visibilityState !== "hidden") fnRef.current();
    }, ms);
    return () => clearInterval(id);
  }, [ms]);
}

export function useHashRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return route;
}

/** Goes to a hash route (`#/inbox/ID`). */
export function navigate(href: string): void {
  if (location.hash !== href) location.hash = href;
}

/** Now, re-rendered every `ms`, for ages ("12 min ago"). */
export function useNow(ms = 30_000): number {
  const [now, setNow] = useState(() => Date.now());
  useInterval(() => setNow(Date.now()), ms);
  return now;
}
