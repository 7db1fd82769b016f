// The custom search attributes of a case workflow, so open cases can be listed through Temporal
// visibility. Only case facts go here, never personal data: visibility stores are copied, indexed and
// shown in the Web UI, and cannot be erased per person.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const CaseStatus = defineSearchAttributeKey('CaseStatus', SearchAttributeType.KEYWORD);
export const CaseLevel = defineSearchAttributeKey('CaseLevel', SearchAttributeType.KEYWORD);
export const LeadDepartment = defineSearchAttributeKey('LeadDepartment', SearchAttributeType.KEYWORD);
export const NextDueAt = defineSearchAttributeKey('NextDueAt', SearchAttributeType.DATETIME);
export const Collective = defineSearchAttributeKey('Collective', SearchAttributeType.BOOL);
/** Set while the case's events keep failing to reach Kafka (CaseView.publishStalled); absent otherwise. */
export const PublishStalled = defineSearchAttributeKey('PublishStalled', SearchAttributeType.BOOL);
/** Set while the core keeps rejecting the case's clock check (CaseView.clockCheckFailing); absent otherwise. */
export const ClockCheckFailing = defineSearchAttributeKey('ClockCheckFailing', SearchAttributeType.BOOL);

export const caseSearchAttributes = [CaseStatus, CaseLevel, LeadDepartment, NextDueAt, Collective, PublishStalled, ClockCheckFailing];

// For `temporal server start-dev --search-attribute Name=Type` and for registering them on a cluster.
const cliTypeNames: Record<string, string> = { KEYWORD: 'Keyword', DATETIME: 'Datetime', BOOL: 'Bool', INT: 'Int', DOUBLE: 'Double', TEXT: 'Text', KEYWORD_LIST: 'KeywordList' };
export const searchAttributeFlags = caseSearchAttributes.map((k) => `${k.name}=${cliTypeNames[k.type]}`);
