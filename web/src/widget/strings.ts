// Every string the widget shows, in both languages, side by side: a key missing one language
// does not compile.

import { format, type Lang } from "../shared/i18n";

const STRINGS = {
  openChat: { en: "Open chat", zh: "打开在线客服" },
  closeChat: { en: "Close chat", zh: "关闭在线客服" },
  unread: { en: "{n} new messages", zh: "{n} 条新消息" },
  panel: { en: "Customer service chat", zh: "在线客服对话" },
  title: { en: "Customer service", zh: "在线客服" },
  subtitle: { en: "Ask us anything", zh: "有问题随时问我们" },
  greeting: { en: "Hi! How can we help you today?", zh: "您好！请问有什么可以帮您？" },
  messages: { en: "Messages", zh: "消息" },
  suggestions: { en: "Suggested questions", zh: "常见问题" },
  input: { en: "Your message", zh: "输入消息" },
  placeholder: { en: "Type your question…", zh: "请输入您的问题…" },
  send: { en: "Send", zh: "发送" },
  you: { en: "You", zh: "您" },
  assistant: { en: "Assistant", zh: "智能客服" },
  agent: { en: "Agent", zh: "人工客服" },
  writing: { en: "Writing an answer…", zh: "正在回复…" },
  sources: { en: "Sources", zh: "来源" },
  source: { en: "Source {n}", zh: "来源 {n}" },
  curatedSource: { en: "Curated answer", zh: "人工整理的答案" },
  helpful: { en: "Helpful", zh: "有帮助" },
  notHelpful: { en: "Not helpful", zh: "没有帮助" },
  reasonPrompt: { en: "What was wrong? (optional)", zh: "哪里有问题？（可选）" },
  reason_wrong: { en: "Wrong", zh: "不正确" },
  reason_outdated: { en: "Outdated", zh: "已过时" },
  reason_unclear: { en: "Unclear", zh: "看不懂" },
  reason_not_what_i_asked: { en: "Not what I asked", zh: "答非所问" },
  thanks: { en: "Thanks for your feedback", zh: "感谢您的反馈" },
  feedbackFailed: { en: "Your rating could not be sent.", zh: "评价发送失败。" },
  handoff: { en: "Talk to a person", zh: "转人工客服" },
  handoffFailed: { en: "We could not reach our team. Please try again.", zh: "暂时无法联系人工客服，请重试。" },
  ticketOpened: { en: "A person will reply here", zh: "人工客服将在这里回复您" },
  ticketAssigned: { en: "{name} joined", zh: "{name} 已加入对话" },
  ticketAssignedAnon: { en: "An agent joined", zh: "人工客服已加入对话" },
  ticketResolved: { en: "Resolved", zh: "已解决" },
  ticketExpired: { en: "This request was closed", zh: "本次人工服务已结束" },
  errorGeneric: { en: "Something went wrong.", zh: "出错了。" },
  errorNetwork: { en: "The connection was lost.", zh: "网络连接中断。" },
  errorBusy: { en: "We are very busy right now.", zh: "当前咨询人数较多。" },
  errorTimeout: { en: "The answer took too long.", zh: "回复超时。" },
  errorRate: { en: "Too many messages. Try again in {s} s.", zh: "发送太频繁，请 {s} 秒后再试。" },
  errorUnavailable: { en: "Chat is not available right now.", zh: "在线客服暂不可用。" },
  errorTooLong: { en: "Your message is too long.", zh: "消息太长了。" },
  retry: { en: "Retry", zh: "重试" },
  sourceView: { en: "Source", zh: "来源" },
  back: { en: "Back to the chat", zh: "返回对话" },
  openPage: { en: "Open the page", zh: "打开原文页面" },
  loading: { en: "Loading…", zh: "加载中…" },
  sourceFailed: { en: "The source could not be loaded.", zh: "无法加载来源。" },
  restoring: { en: "Loading the conversation…", zh: "正在加载对话…" },
} satisfies Record<string, Record<Lang, string>>;

export type StringKey = keyof typeof STRINGS;
export type Translate = (key: StringKey, vars?: Record<string, string | number>) => string;

/** The translator for one language. */
export function translator(lang: Lang): Translate {
  return (key, vars) => format(STRINGS[key][lang], vars);
}
