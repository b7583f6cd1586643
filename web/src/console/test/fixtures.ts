// Data shaped like the server's replies, for the unit tests and for a look at the console with
// a mock server. Ids and texts resemble the bundled corpus; one customer message carries markup
// to prove it is shown as text.
import type {
  Conversation,
  ConversationSummary,
  CuratedVersion,
  DocumentView,
  IndexView,
  Insights,
  SearchMode,
  SearchResult,
  Session,
  Ticket,
} from "../lib/types";

export const NOW = Date.UTC(2026, 10, 24, 10, 0, 0);
const MIN = 60_000;

export const ADMIN_SESSION: Session = { scope: "admin", agent: "alice", csrf: "csrf-token-1", expires_at_ms: NOW + 8 * 3600_000 };
export const AGENT_SESSION: Session = { scope: "agent", agent: "bob", csrf: "csrf-token-2", expires_at_ms: NOW + 8 * 3600_000 };

function ticket(partial: Partial<Ticket> & Pick<Ticket, "id" | "conversation_id">): Ticket {
  return {
    state: "open",
    reason: "low_confidence",
    priority: "normal",
    frustrated: false,
    assignee: null,
    opened_seq: 2,
    created_at_ms: NOW - 30 * MIN,
    assigned_at_ms: null,
    closed_at_ms: null,
    updated_at_ms: NOW - 30 * MIN,
    external_user_id: null,
    ...partial,
  };
}

export const TICKETS: Ticket[] = [
  ticket({ id: "t-normal-old", conversation_id: "c-1", created_at_ms: NOW - 90 * MIN, external_user_id: "cust-7" }),
  ticket({
    id: "t-high",
    conversation_id: "c-2",
    reason: "complaint",
    priority: "high",
    frustrated: true,
    created_at_ms: NOW - 10 * MIN,
    external_user_id: "cust-42",
  }),
  ticket({ id: "t-normal-new", conversation_id: "c-3", reason: "requested_human", created_at_ms: NOW - 5 * MIN }),
];

function turn(partial: Partial<Conversation["turns"][number]> & { seq: number; role: string; text: string }) {
  return {
    actor: null,
    citations: null,
    confidence: null,
    abstained: null,
    handoff_reason: null,
    language: "en",
    created_at_ms: NOW - (40 - partial.seq) * MIN,
    ...partial,
  };
}

export function conversation(id: string, extra: Partial<Conversation> = {}): Conversation {
  return {
    id,
    owner_key: "k1",
    external_user_id: id === "c-2" ? "cust-42" : null,
    channel: "web",
    created_at_ms: NOW - 40 * MIN,
    updated_at_ms: NOW - 10 * MIN,
    turns: [
      turn({ seq: 1, role: "customer", actor: "k1", text: "Can I return opened electronics? <img src=x onerror=alert(1)>" }),
      turn({
        seq: 2,
        role: "bot",
        text: "Yes: we deduct a 15% restocking fee from the refund. [1] It applies when you changed your mind. [2]",
        citations: [
          { n: 1, chunk_id: "ch-faq-3", doc_id: "en/faq.csv", span: [18, 74] },
          { n: 2, chunk_id: "ch-ret-7", doc_id: "en/policies/returns.md", span: [10, 40] },
        ],
        confidence: 0.782,
        abstained: false,
      }),
      turn({ seq: 3, role: "customer", actor: "k1", text: "This is useless, I want a person!!", frustration: { signals: ["words"], score: 1.2 } }),
      turn({
        seq: 4,
        role: "bot",
        text: "I'm sorry. A colleague will reply here.",
        confidence: 0.2,
        abstained: true,
        handoff_reason: "complaint",
      }),
      turn({ seq: 5, role: "system", text: "ticket_opened" }),
    ],
    feedback: [{ turn_seq: 2, kind: "thumbs", score: -1, reason: "outdated", comment: "fee changed", created_at_ms: NOW - 20 * MIN }],
    ...extra,
  };
}

export const AGENT_TURN = turn({ seq: 6, role: "agent", actor: "alice", text: "Hi, I can help with that.", ticket_id: "t-high" });

export const INSIGHTS: Insights = {
  from: "2026-11-18",
  to: "2026-11-24",
  utc_offset: "+08:00",
  generated_at_ms: NOW,
  figures: {
    conversations: 44,
    turns: { customer: 60, bot: 55, agent: 3, system: 4 },
    questions: 60,
    questions_by_day: {
      "2026-11-18": 5,
      "2026-11-19": 9,
      "2026-11-20": 12,
      "2026-11-21": 0,
      "2026-11-22": 8,
      "2026-11-23": 14,
      "2026-11-24": 12,
    },
    questions_by_hour: [0, 0, 0, 0, 0, 0, 0, 1, 3, 6, 8, 7, 4, 5, 6, 5, 4, 3, 3, 2, 1, 1, 1, 0],
    questions_by_language: { en: 41, zh: 19 },
    questions_by_channel: { web: 52, api: 8 },
    answer_rate: { value: 0.82, count: 41, of: 50 },
    containment: { value: 0.6829268292682927, count: 28, of: 41 },
    containment_definition:
      "conversations where kefu answered at least one question with no handoff, no thumbs-down and no CSAT of 1 or 2, out of conversations where kefu answered at least one question",
    handoffs_suggested: { low_confidence: 6, requested_human: 3, complaint: 1 },
    tickets_opened: { low_confidence: 2, complaint: 1 },
    thumbs_up: { value: 0.75, count: 9, of: 12 },
    thumbs_down_reasons: { outdated: 2, wrong: 1 },
    csat: { mean: 4.2, count: 5, distribution: [0, 1, 0, 1, 3] },
    latency: { p50_ms: 38.2, p95_ms: 1210.5, count: 55 },
    frustration_rate: { value: 0.05, count: 3, of: 60 },
  },
  topics: [
    {
      id: 3,
      label: "Can I return opened electronics?",
      questions: 12,
      previous: 8,
      trend: 0.5,
      answer_rate: { value: 0.9166666666666666, count: 11, of: 12 },
      thumbs_down: { value: 0.25, count: 1, of: 4 },
      unmet: { value: 0.16666666666666666, count: 2, of: 12 },
      rephrasings: 1,
      languages: { en: 12 },
      documents: [{ doc_id: "en/policies/returns.md", answers: 9 }],
      samples: ["Can I return opened electronics?", "return opened blender"],
      conversations: ["c-2"],
    },
    {
      id: 7,
      label: "扫地机器人多重？",
      questions: 6,
      previous: 0,
      trend: null,
      answer_rate: { value: 0, count: 0, of: 6 },
      thumbs_down: { value: null, count: 0, of: 0 },
      unmet: { value: 1, count: 6, of: 6 },
      rephrasings: 2,
      languages: { zh: 6 },
      documents: [],
      samples: ["扫地机器人多重？", "roamo s7 重量"],
      conversations: ["c-4"],
    },
  ],
  topic_count: 2,
  topic_threshold: 0.55,
  gaps: [
    {
      topic: 7,
      label: "扫地机器人多重？",
      language: "zh",
      unmet: { value: 1, count: 6, of: 6 },
      abstained: 5,
      low_confidence_handoffs: 1,
      thumbs_down: 0,
      rephrasings: 2,
      samples: ["扫地机器人多重？", "roamo s7 重量"],
      conversations: ["c-4"],
      closest: [{ doc_id: "zh/products/roamo-s7.md", title: "Roamo S7 扫地机器人", locale: "zh", similarity: 0.71 }],
      why: ["low_score", "asked_again"],
      draft: { kind: "agent_reply", text: "Roamo S7 约 3.8 公斤。", conversation_id: "c-9", seq: 6 },
    },
    {
      topic: 11,
      label: "Do you ship to Norway?",
      language: "en",
      unmet: { value: 0.5, count: 2, of: 4 },
      abstained: 2,
      low_confidence_handoffs: 0,
      thumbs_down: 0,
      rephrasings: 0,
      samples: ["Do you ship to Norway?"],
      conversations: [],
      closest: [],
      why: ["no_document"],
      draft: { kind: "passage", text: "We ship to the EU and the UK.", doc_id: "en/policies/shipping.md" },
    },
  ],
  health: {
    documents: 24,
    never_cited: ["en/policies/warranty.md", "zh/faq.csv"],
    rated_down: [{ doc_id: "en/faq.csv", thumbs_down: 2, reasons: { outdated: 2 }, citations: 9 }],
    near_duplicates: [
      {
        a: { doc_id: "en/faq.csv", chunk_id: "a", excerpt: "Returns are free within 30 days." },
        b: { doc_id: "en/policies/returns.md", chunk_id: "b", excerpt: "Returns are free within 30 days of delivery." },
        similarity: 0.86,
      },
    ],
    contradictions: [],
    curated_contradictions: [],
  },
  run: { questions_read: 98, distinct_questions: 40, newly_placed: 3, centre_questions: null, total_ms: 812 },
};

export const ANSWER_VERSIONS: CuratedVersion[] = [
  {
    id: "a-1",
    version: 1,
    questions: ["how heavy is the roamo s7"],
    answer: "About 3.5 kg.",
    locale: "en",
    product: "roamo-s7",
    tags: ["specs"],
    author: "alice",
    source_conversation_id: "c-9",
    source_turn_seq: 6,
    created_at_ms: NOW - 3 * 86_400_000,
    removed: false,
  },
  {
    id: "a-1",
    version: 2,
    questions: ["how heavy is the roamo s7", "roamo s7 weight"],
    answer: "About 3.8 kg.",
    locale: "en",
    product: "roamo-s7",
    tags: ["specs"],
    author: "carol",
    source_conversation_id: "c-9",
    source_turn_seq: 6,
    created_at_ms: NOW - 86_400_000,
    removed: false,
  },
];

export const DOCUMENT: DocumentView = {
  id: "en/faq.csv",
  title: "FAQ",
  url: "https://help.example.com/en/faq",
  locale: "en",
  doc_type: "faq",
  product: null,
  tags: [],
  text: "Is there a fee? 😀 Yes, a 15% restocking fee applies to opened electronics. Shipping is free over €50.",
  chunks: [
    { chunk_id: "ch-faq-3", breadcrumb: "FAQ › Is there a fee?", span: [0, 74] },
    { chunk_id: "ch-faq-4", breadcrumb: "FAQ › Shipping", span: [75, 101] },
  ],
};

export const INDEX: IndexView = {
  generation: 7,
  model: "multilingual-e5-small",
  documents_count: 2,
  chunks_count: 5,
  last_ingest_ms: NOW - 2 * 3600_000,
  documents: [
    { id: "en/faq.csv", title: "FAQ", locale: "en", doc_type: "faq", product: null, chunks: 2 },
    { id: "en/policies/returns.md", title: "Returns policy", locale: "en", doc_type: "policy", product: null, chunks: 3 },
  ],
};

function result(chunk_id: string, doc_id: string, title: string, score: number): SearchResult {
  return { chunk_id, doc_id, title, breadcrumb: `${title} › Restocking fee`, url: null, score, snippet: "A restocking fee of 15%…", locale: "en" };
}

export const SEARCH: Record<SearchMode, SearchResult[]> = {
  bm25: [result("ch-ret-7", "en/policies/returns.md", "Returns policy", 12.4), result("ch-faq-3", "en/faq.csv", "FAQ", 9.1)],
  dense: [result("ch-faq-3", "en/faq.csv", "FAQ", 0.871), result("ch-x", "en/policies/shipping.md", "Shipping", 0.802)],
  hybrid: [result("ch-faq-3", "en/faq.csv", "FAQ", 0.0325), result("ch-ret-7", "en/policies/returns.md", "Returns policy", 0.0318)],
};

export const CONVERSATIONS: ConversationSummary[] = [
  {
    id: "c-2",
    external_user_id: "cust-42",
    channel: "web",
    created_at_ms: NOW - 40 * MIN,
    updated_at_ms: NOW - 10 * MIN,
    turns: 5,
    preview: "Can I return opened electronics?",
    language: "en",
    answered: 2,
    abstained: 1,
    thumbs_down: 1,
    ticket_state: "open",
  },
  {
    id: "c-4",
    external_user_id: null,
    channel: "api",
    created_at_ms: NOW - 120 * MIN,
    updated_at_ms: NOW - 100 * MIN,
    turns: 2,
    preview: "运费多少？",
    language: "zh",
    answered: 1,
    abstained: 0,
    thumbs_down: 0,
    ticket_state: null,
  },
];
