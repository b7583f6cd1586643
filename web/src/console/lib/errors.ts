// An error as the console says it: the server's message (written for people), except where the
// console knows better what to do about it.
import { ApiError } from "./api";
import type { Translate } from "./i18n";

export function errorText(error: unknown, t: Translate): string {
  if (error instanceof ApiError) {
    if (error.status === 403) return t("common.needsAdmin");
    if (error.status === 0) return t("common.networkError");
    return error.message;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}
