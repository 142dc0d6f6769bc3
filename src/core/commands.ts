/**
 * Every command the extension registers, by one name. package.json's `contributes.commands` must list the same
 * ids except the internal ones (test/unit/commands.test.ts checks both directions), so code, menus and tests
 * cannot drift apart.
 */
const TABLE = {
  showLog: { id: 'switchyard.showLog' },
  setApiKey: { id: 'switchyard.setApiKey' },
  clearApiKey: { id: 'switchyard.clearApiKey' },
  toggleNeverLeaveMachine: { id: 'switchyard.toggleNeverLeaveMachine' },
  selectEmbeddedModel: { id: 'switchyard.selectEmbeddedModel' },
  downloadEmbeddedModel: { id: 'switchyard.downloadEmbeddedModel' },
  checkEmbeddedHardware: { id: 'switchyard.checkEmbeddedHardware' },
  toggleCompletions: { id: 'switchyard.toggleCompletions' },
  selectCompletionModel: { id: 'switchyard.selectCompletionModel' },
  pullModel: { id: 'switchyard.pullModel' },
  askAboutSelection: { id: 'switchyard.askAboutSelection' },
  refactorSelection: { id: 'switchyard.refactorSelection' },
  explainArchitecture: { id: 'switchyard.explainArchitecture' },
  applyRefactor: { id: 'switchyard.applyRefactor' },
  discardRefactor: { id: 'switchyard.discardRefactor' },
  showDashboard: { id: 'switchyard.showDashboard' },
  statusMenu: { id: 'switchyard.statusMenu' },
  snoozeCompletions: { id: 'switchyard.snoozeCompletions' },
  selectChatModel: { id: 'switchyard.selectChatModel' },
  getStarted: { id: 'switchyard.getStarted' },
  refactorInCloud: { id: 'switchyard.refactorInCloud' },
  refactorLocally: { id: 'switchyard.refactorLocally' },
  showAnswers: { id: 'switchyard.showAnswers' },
  setModelPrice: { id: 'switchyard.setModelPrice' },
  setTeamToken: { id: 'switchyard.setTeamToken' },
  clearTeamToken: { id: 'switchyard.clearTeamToken' },
  // Internal: run by the views' pages and by tests, not shown in the Command Palette.
  answerRerun: { id: 'switchyard.answer.rerun', internal: true },
  answerFollowUp: { id: 'switchyard.answer.followUp', internal: true },
  answerState: { id: 'switchyard.answer.state', internal: true },
  answerClose: { id: 'switchyard.answer.close', internal: true },
  refactorPending: { id: 'switchyard.refactor.pending', internal: true },
  refactorWarnings: { id: 'switchyard.refactor.warnings', internal: true },
  dashboardState: { id: 'switchyard.dashboard.state', internal: true },
  walkthroughState: { id: 'switchyard.walkthrough.state', internal: true },
} as const satisfies Record<string, { id: `switchyard.${string}`; internal?: true }>;

type Table = typeof TABLE;

/** Command ids by name: `COMMANDS.showLog` is `'switchyard.showLog'`. */
export const COMMANDS = Object.fromEntries(Object.entries(TABLE).map(([k, v]) => [k, v.id])) as { readonly [K in keyof Table]: Table[K]['id'] };

export type CommandId = (typeof COMMANDS)[keyof typeof COMMANDS];

/** Ids registered but deliberately left out of package.json's `contributes.commands`. */
export const INTERNAL_COMMANDS: ReadonlySet<CommandId> = new Set(
  Object.values(TABLE).filter((c) => 'internal' in c).map((c) => c.id),
);
