import { LEGAL_CATEGORIES, type LegalCategory, type LegalTarget } from '@samizdat/protocol';
import { Command, Option } from 'commander';
import { parseId } from '../arguments.ts';
import { commandContext } from '../command-context.ts';
import { output } from '../output.ts';
import { parseCalendarDate, parseCountry, parseLegalTarget } from '../safety-arguments.ts';
import { formatDisclosureLines, formatLegalRequestLine } from '../safety-format.ts';
import { withSession } from '../session.ts';
import { readTextArgument } from '../text-input.ts';

/** `samizdat legal …`: lawful requests under the two-person rule (legal role). */
export function legalCommand(): Command {
  return new Command('legal')
    .description("Record, decide and answer lawful requests: a phone number and IP addresses, never content (legal role)")
    .addHelpText(
      'after',
      '\nThe operator grants the legal role on the server\'s data folder: samizdat admin grant legal USER.\n' +
        'A request is recorded by one legal-role account and approved or refused by a second, different\n' +
        'one (TWO_PERSON_RULE). An approved request is disclosed once: the target\'s phone number and the\n' +
        'IP addresses (with times) its sessions used within the retention window. Nothing else exists to\n' +
        'disclose: no messages, files, contacts, chats or keys. Every disclosure is an entry of the\n' +
        'public transparency log (what was asked and by whom, never the answer).',
    )
    .addCommand(requestCommand())
    .addCommand(listCommand())
    .addCommand(approveCommand())
    .addCommand(refuseCommand())
    .addCommand(discloseCommand());
}

interface RequestOptions {
  country: string;
  authority: string;
  reference: string;
  category: LegalCategory;
  target: LegalTarget;
  date: number;
}

function requestCommand(): Command {
  return new Command('request')
    .description('Record a request from an authority; it waits for a second legal-role account to decide it')
    .addOption(new Option('--country <code>', 'country of the authority, ISO 3166-1 alpha-2 (DE, BR)').argParser(parseCountry).makeOptionMandatory())
    .addOption(new Option('--authority <name>', 'who asks, e.g. "Bundeskriminalamt"').makeOptionMandatory())
    .addOption(new Option('--reference <ref>', 'the legal reference: court order number or the like').makeOptionMandatory())
    .addOption(new Option('--category <category>', 'what the case is about').choices(LEGAL_CATEGORIES).makeOptionMandatory())
    .addOption(new Option('--target <user>', 'whom it names: +phone or @username').argParser(parseLegalTarget).makeOptionMandatory())
    .addOption(new Option('--date <YYYY-MM-DD>', 'the date the authority issued it (UTC)').argParser(parseCalendarDate).makeOptionMandatory())
    .addHelpText('after', '\nPrints the request\'s id. With --json: the LegalRequest.')
    .action(async (options: RequestOptions, command: Command) => {
      const context = commandContext(command);
      await withSession(context, async ({ client }) => {
        const { request } = await client.call('legal.createRequest', {
          country: options.country,
          authority: options.authority,
          legalReference: options.reference,
          category: options.category,
          target: options.target,
          requestDate: options.date,
        });
        if (context.isJson) output.json(request);
        else output.line(`Recorded request #${request.id}; a second legal-role account must approve it: samizdat legal approve ${request.id}`);
      });
    });
}

function listCommand(): Command {
  return new Command('list')
    .description('Lawful requests, with their state')
    .addHelpText(
      'after',
      '\nLines: #4 pending · DE · Bundeskriminalamt · ref AZ 17/26 · terrorism · target +15551234567 · dated 2026-01-01 · recorded by user 3 on …\n' +
        '\nWith --json: an array of the protocol\'s LegalRequest.',
    )
    .action(async (_options: unknown, command: Command) => {
      const context = commandContext(command);
      await withSession(context, async ({ client }) => {
        const { requests } = await client.call('legal.getRequests', {});
        if (context.isJson) output.json(requests);
        else if (requests.length === 0) output.line('No lawful requests');
        else for (const request of requests) output.line(formatLegalRequestLine(request));
      });
    });
}

function approveCommand(): Command {
  return new Command('approve')
    .description('Approve a request recorded by another legal-role account (two-person rule)')
    .argument('<id>', 'the request, as legal list shows it (#4 → 4)', parseId)
    .addHelpText('after', '\nThe account that recorded it gets TWO_PERSON_RULE. With --json: the LegalRequest.')
    .action(async (requestId: number, _options: unknown, command: Command) => {
      const context = commandContext(command);
      await withSession(context, async ({ client }) => {
        const { request } = await client.call('legal.approve', { requestId });
        if (context.isJson) output.json(request);
        else output.line(`Approved request #${request.id}; disclose it with samizdat legal disclose ${request.id}`);
      });
    });
}

function refuseCommand(): Command {
  return new Command('refuse')
    .description('Refuse a request recorded by another legal-role account, with the reason')
    .argument('<id>', 'the request, as legal list shows it (#4 → 4)', parseId)
    .addOption(new Option('--note <text>', 'why, up to 2000 characters; - reads it from stdin').makeOptionMandatory())
    .addHelpText('after', '\nThe account that recorded it gets TWO_PERSON_RULE. With --json: the LegalRequest.')
    .action(async (requestId: number, options: { note: string }, command: Command) => {
      const context = commandContext(command);
      const note = await readTextArgument(options.note);
      await withSession(context, async ({ client }) => {
        const { request } = await client.call('legal.refuse', { requestId, note });
        if (context.isJson) output.json(request);
        else output.line(`Refused request #${request.id}`);
      });
    });
}

function discloseCommand(): Command {
  return new Command('disclose')
    .description("Answer an approved request, once: the target's phone number and IP addresses with times")
    .argument('<id>', 'the request, as legal list shows it (#4 → 4)', parseId)
    .addHelpText(
      'after',
      '\nLines: phone +15551234567 (user 7)\n' +
        '       ip 203.0.113.5 · first seen 2026-01-01 09:00 · last seen 2026-01-02 08:00\n' +
        'A target that names no account discloses nothing. A request is disclosed once; again, or before\n' +
        'it is approved, gets LEGAL_REQUEST_INVALID.\n' +
        '\nWith --json: the Disclosure, {"requestId","userId","phone","ipAddresses":[{"ip","firstSeenAt","lastSeenAt"}],"disclosedAt"}\n' +
        '— its schema admits nothing else.',
    )
    .action(async (requestId: number, _options: unknown, command: Command) => {
      const context = commandContext(command);
      await withSession(context, async ({ client }) => {
        const { disclosure } = await client.call('legal.disclose', { requestId });
        if (context.isJson) output.json(disclosure);
        else for (const line of formatDisclosureLines(disclosure)) output.line(line);
      });
    });
}
