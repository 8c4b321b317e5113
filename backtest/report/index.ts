/** Backtest reports: the terminal table and the self-contained HTML file. */
export { renderTerminalReport, type TerminalReportOptions } from './terminalReport.ts';
export { renderHtmlReport, writeHtmlReport, TRADE_ROW_CAP } from './htmlReport.ts';
