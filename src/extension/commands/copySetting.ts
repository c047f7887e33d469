// kvmTraceLens.copyRecommendationSetting: a setting passed by the panel, or one picked from the analysis' advice.
import * as vscode from 'vscode';
import { copySetting } from '../panels';
import { registerCommand, type Services } from '../services';
import { currentAnalysis } from './currentAnalysis';
import { COMMANDS } from './ids';

async function copyRecommendationSetting(s: Services, settingArg?: unknown): Promise<void> {
  if (typeof settingArg === 'string' && settingArg.length > 0) {
    await copySetting(settingArg);
    return;
  }
  const a = await currentAnalysis(s);
  const withSetting = (a?.recommendations ?? []).filter((r) => r.setting);
  if (withSetting.length === 0) {
    void vscode.window.showInformationMessage('KVM Trace Lens: this analysis has no recommended setting.');
    return;
  }
  const pick = await vscode.window.showQuickPick(
    withSetting.map((r) => ({ label: r.setting!, description: r.title })),
    { title: 'Copy which setting?' },
  );
  if (pick) await copySetting(pick.label);
}

export function register(s: Services): void {
  registerCommand(s, COMMANDS.copySetting, (setting) => copyRecommendationSetting(s, setting));
}
