// Prints the router's decision table as Markdown: npm run decision-table
import { renderDecisionTable } from './decisionTable';

process.stdout.write(`${renderDecisionTable()}\n`);
