// Cloud models with no known price: warn once per model that the budget cannot be enforced exactly for
// it, and let the user set its price (switchyard.cost.prices, user settings). Meanwhile the ledger counts
// each call at UNPRICED_MODEL_PRICE.
import * as vscode from 'vscode';
import { UNPRICED_MODEL_PRICE } from '../../core/cost/prices';
import type { LedgerRecord } from '../../core/cost/record';
import type { CoreServices } from '../services';
import { updateSetting } from '../settings';
import type { SettingValues } from '../../core/settings';
import { COMMANDS } from '../../core/commands';
import { logAndNotify } from '../notify';

const WARNED_KEY = 'switchyard.unpricedModelsWarned';

export function warnUnpricedOnce(s: CoreServices, record: LedgerRecord): void {
  if (record.route !== 'cloud' || !record.priceAssumed) return;
  const id = `${record.provider}/${record.model}`;
  const warned = s.context.globalState.get<string[]>(WARNED_KEY, []);
  if (warned.includes(id)) return;
  void s.context.globalState.update(WARNED_KEY, [...warned, id].slice(-50));
  const p = UNPRICED_MODEL_PRICE;
  const message = `Switchyard has no price for the cloud model "${record.model}", so the cloud budget cannot be enforced exactly for it. `
    + `Until you set its price, each call counts a conservative estimate ($${p.input} / $${p.output} per million input / output tokens).`;
  void logAndNotify(s.log, 'warn', message, 'Set Price', 'Open Dashboard').then((pick) => {
    if (pick === 'Set Price') void vscode.commands.executeCommand(COMMANDS.setModelPrice, record.model);
    if (pick === 'Open Dashboard') void vscode.commands.executeCommand(COMMANDS.showDashboard);
  });
}

/** Asks for a model's input and output prices and saves them in the user's switchyard.cost.prices. */
export async function setModelPrice(model?: unknown): Promise<boolean> {
  const name = typeof model === 'string' && model.trim() ? model.trim() : await vscode.window.showInputBox({
    title: 'Set a Model Price', prompt: 'Model name, exactly as the provider or gateway names it (e.g. an Azure deployment)',
    validateInput: (v) => (v.trim() ? undefined : 'Enter a model name'),
  });
  if (!name) return false;
  const ask = (what: string) => vscode.window.showInputBox({
    title: `Price of ${name}`, prompt: `${what} price in USD per million tokens`, placeHolder: 'e.g. 2.5',
    validateInput: (v) => (isPrice(v) ? undefined : 'A number of USD per million tokens, 0 to 10000'),
  });
  const input = await ask('Input');
  if (input === undefined) return false;
  const output = await ask('Output');
  if (output === undefined) return false;
  const prices = { ...(vscode.workspace.getConfiguration('switchyard').inspect<SettingValues['cost.prices']>('cost.prices')?.globalValue ?? {}) };
  prices[name] = { input: Number(input), output: Number(output) };
  await updateSetting('cost.prices', prices, vscode.ConfigurationTarget.Global);
  void vscode.window.showInformationMessage(`Switchyard: ${name} is now priced at $${Number(input)} / $${Number(output)} per million input / output tokens (switchyard.cost.prices). New calls are counted at this price.`);
  return true;
}

function isPrice(v: string): boolean {
  const n = Number(v.trim());
  return v.trim() !== '' && Number.isFinite(n) && n >= 0 && n <= 10_000;
}
