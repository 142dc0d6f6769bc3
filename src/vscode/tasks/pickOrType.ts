import * as vscode from 'vscode';

export interface PickOrTypeOptions {
  title: string;
  placeholder: string;
  items: vscode.QuickPickItem[];
  /** Shown beside the typed text, offered as the first item. */
  typedDescription?: string;
  ignoreFocusOut?: boolean;
}

/** A quick pick that also takes free text: what the user types is offered first. Undefined when dismissed. */
export async function pickOrType(o: PickOrTypeOptions): Promise<string | undefined> {
  const pick = vscode.window.createQuickPick<vscode.QuickPickItem>();
  pick.title = o.title;
  pick.placeholder = o.placeholder;
  pick.ignoreFocusOut = o.ignoreFocusOut ?? false;
  pick.items = o.items;
  pick.onDidChangeValue((value) => {
    const typed = value.trim();
    pick.items = typed
      ? [{ label: typed, description: o.typedDescription, alwaysShow: true }, ...o.items.filter((i) => i.label !== typed)]
      : o.items;
  });
  const choice = await new Promise<string | undefined>((resolve) => {
    pick.onDidAccept(() => {
      resolve(pick.selectedItems[0]?.label ?? (pick.value.trim() || undefined));
      pick.hide();
    });
    pick.onDidHide(() => resolve(undefined));
    pick.show();
  });
  pick.dispose();
  return choice;
}
