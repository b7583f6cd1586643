// Tickets as the inbox lists them: the server sorts (high priority first, then the oldest), and
// the console sorts again the same way after merging a refresh, so rows never jump around.
import type { Ticket, Turn } from "./types";

export function compareTickets(a: Ticket, b: Ticket): number {
  const pa = a.priority === "high" ? 0 : 1;
  const pb = b.priority === "high" ? 0 : 1;
  if (pa !== pb) return pa - pb;
  if (a.created_at_ms !== b.created_at_ms) return a.created_at_ms - b.created_at_ms;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function sortTickets(tickets: readonly Ticket[]): Ticket[] {
  return [...tickets].sort(compareTickets);
}

/** A ticket an agent can still act on (reply, assign, resolve). */
export function isActive(ticket: Pick<Ticket, "state">): boolean {
  return ticket.state === "open" || ticket.state === "assigned";
}

export type BadgeKind = "high" | "frustrated" | "reason";

export interface Badge {
  kind: BadgeKind;
  /** The i18n key suffix or the server's code. */
  code: string;
}

/** The badges of a ticket row: high priority, frustrated, and why it was handed over. */
export function ticketBadges(ticket: Ticket): Badge[] {
  const badges: Badge[] = [];
  if (ticket.priority === "high") badges.push({ kind: "high", code: "high" });
  if (ticket.frustrated) badges.push({ kind: "frustrated", code: "frustrated" });
  if (ticket.reason) badges.push({ kind: "reason", code: ticket.reason });
  return badges;
}

/** Turns merged by `seq` (a live event may repeat one the page already has), in order. */
export function mergeTurns(existing: readonly Turn[], incoming: readonly Turn[]): Turn[] {
  const bySeq = new Map<number, Turn>();
  for (const turn of existing) bySeq.set(turn.seq, turn);
  for (const turn of incoming) bySeq.set(turn.seq, turn);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

/** The last agent reply of a ticket: what "save as curated answer" promotes. */
export function lastAgentReply(turns: readonly Turn[], ticketId: string): Turn | null {
  for (let i = turns.length - 1; i >= 0; i--) {
    const turn = turns[i];
    if (turn.role === "agent" && (turn.ticket_id == null || turn.ticket_id === ticketId)) return turn;
  }
  return null;
}

/** The highest seq, for `Last-Event-ID`. */
export function lastSeq(turns: readonly Turn[]): number | null {
  return turns.length ? Math.max(...turns.map((t) => t.seq)) : null;
}
