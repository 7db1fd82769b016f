// The workflow bundle's entry point (Worker workflowsPath): every workflow type the worker runs.
export { caseWorkflow } from './case-workflow.js';
export { referralWorkflow } from './referral-workflow.js';
