// Inline SVG icons (no icon font, no requests): decorative, hidden from screen readers; the
// buttons that hold them carry the label.

import type { ComponentChildren } from "preact";
const svg = (path: ComponentChildren, size = 20) => (
  <svg
    width={size}
    height={size}
    viewBox="0 0 24 24"
    fill="none"
    stroke="currentColor"
    stroke-width="2"
    stroke-linecap="round"
    stroke-linejoin="round"
    aria-hidden="true"
    focusable="false"
  >
    {path}
  </svg>
);

export const ChatIcon = () => svg(<path d="M21 12a8 8 0 0 1-11.6 7.1L4 20.5l1.4-4.6A8 8 0 1 1 21 12Z" />, 26);
export const CloseIcon = ({ size = 20 }: { size?: number }) => svg(<path d="M18 6 6 18M6 6l12 12" />, size);
export const ChevronDownIcon = () => svg(<path d="m6 9 6 6 6-6" />, 26);
export const SendIcon = () => svg(<path d="M5 12h13M13 6l6 6-6 6" />);
export const BackIcon = () => svg(<path d="M19 12H5M11 18l-6-6 6-6" />);
export const PersonIcon = () =>
  svg(
    <>
      <circle cx="12" cy="8" r="4" />
      <path d="M4 21a8 8 0 0 1 16 0" />
    </>,
    16,
  );
export const ExternalIcon = () => svg(<path d="M14 4h6v6M20 4l-9 9M18 14v5a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V7a1 1 0 0 1 1-1h5" />, 14);
export const ThumbUpIcon = () =>
  svg(<path d="M7 11v9H4v-9h3Zm0 0 4-8a2 2 0 0 1 2 2v4h5.5a2 2 0 0 1 2 2.3l-1.3 7A2 2 0 0 1 17.2 20H7" />, 16);
export const ThumbDownIcon = () =>
  svg(<path d="M17 13V4h3v9h-3Zm0 0-4 8a2 2 0 0 1-2-2v-4H5.5a2 2 0 0 1-2-2.3l1.3-7A2 2 0 0 1 6.8 4H17" />, 16);
