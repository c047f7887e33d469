// Chart colours from the VS Code theme (CSS variables the webview host sets), re-read when the theme changes.

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

export interface ChartTheme {
  foreground: string;
  grid: string;
  critical: string;
  offCritical: string;
  unattributed: string;
  font: string;
  palette: string[];
}

export function chartTheme(): ChartTheme {
  const fg = cssVar('--vscode-charts-foreground', cssVar('--vscode-foreground', '#888'));
  return {
    foreground: fg,
    grid: cssVar('--vscode-charts-lines', 'rgba(128,128,128,0.35)'),
    critical: cssVar('--vscode-charts-red', '#e51400'),
    offCritical: cssVar('--vscode-charts-blue', '#1a85ff'),
    unattributed: cssVar('--vscode-charts-purple', '#b180d7'),
    font: cssVar('--vscode-font-family', 'sans-serif'),
    palette: [
      cssVar('--vscode-charts-blue', '#1a85ff'),
      cssVar('--vscode-charts-red', '#e51400'),
      cssVar('--vscode-charts-yellow', '#cca700'),
      cssVar('--vscode-charts-green', '#388a34'),
      cssVar('--vscode-charts-purple', '#b180d7'),
      cssVar('--vscode-charts-orange', '#d18616'),
      fg,
    ],
  };
}

/** Calls back when VS Code switches theme (it changes the body's class and the CSS variables). */
export function onThemeChange(callback: () => void): void {
  let last = document.body.className;
  new MutationObserver(() => {
    if (document.body.className !== last) {
      last = document.body.className;
      callback();
    }
  }).observe(document.body, { attributes: true, attributeFilter: ['class'] });
}
