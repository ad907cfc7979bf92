// The one Renderer interface of the difference report (DESIGN convention 8) and renderReport,
// which picks the renderer for `--format terminal|markdown|json`. Pure: renderers return
// strings; the command writes them.
import type { DiffReport } from '../model/types.ts';
import { jsonRenderer } from './json.ts';
import { markdownRenderer } from './markdown.ts';
import { terminalRenderer } from './terminal.ts';

export const REPORT_FORMATS = ['terminal', 'markdown', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface RenderOptions {
  /** Terminal: ANSI colour. The caller decides (wantsColor in terminal.ts): a renderer looks at
   * no stream and no environment. Default false. */
  color?: boolean;
  /** Terminal and Markdown: a property value longer than this is cut with an ellipsis (the JSON
   * keeps it whole). Default 100. */
  maxValueLength?: number;
  /** Terminal and Markdown: link targets shown per relationship and direction before "… and N
   * more". Default 25. */
  maxLinkTargets?: number;
  /** Markdown: the size it must stay within, in UTF-16 code units (what JavaScript and GitHub
   * count). Default 65,536, GitHub's limit for a pull-request body or comment. */
  maxChars?: number;
  /** Markdown: where the full JSON report is (a path or a URL), named when the Markdown has to
   * leave changes out. */
  fullReportPath?: string;
}

export interface Renderer {
  readonly format: ReportFormat;
  render(report: DiffReport, options?: RenderOptions): string;
}

export const RENDERERS: Readonly<Record<ReportFormat, Renderer>> = {
  terminal: terminalRenderer,
  markdown: markdownRenderer,
  json: jsonRenderer,
};

export const isReportFormat = (value: string): value is ReportFormat => (REPORT_FORMATS as readonly string[]).includes(value);

/** Renders the report in the format asked for. */
export function renderReport(report: DiffReport, format: ReportFormat, options: RenderOptions = {}): string {
  const renderer = RENDERERS[format] as Renderer | undefined;
  if (!renderer) {
    throw new Error(`Could not render the difference report because "${String(format)}" is not a report format. (Hint: use --format ${REPORT_FORMATS.join(', ')}.)`);
  }
  return renderer.render(report, options);
}
