// Prints the router's decision table as Markdown: node --import tsx test/unit/routing/printDecisionTable.ts
import { renderDecisionTable } from '../../../src/core/routing/decisionTable';

process.stdout.write(`${renderDecisionTable()}\n`);
