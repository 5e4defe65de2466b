import { BLOCK_CATEGORIES, type BlockCategory, type ReportTarget } from '@samizdat/protocol';
import { Argument, Command, Option } from 'commander';
import { integerIn, parseId } from '../arguments.ts';
import { CliError } from '../cli-error.ts';
import { commandContext } from '../command-context.ts';
import { output } from '../output.ts';
import { MOD_ACTION_TARGET, MOD_ACTIONS, type ModActionName } from '../safety-arguments.ts';
import { formatAppealLine, formatQueueItem } from '../safety-format.ts';
import { formatTargetArgument, parseTargetInput, resolveTarget, TARGET_HELP } from '../safety-target.ts';
import { withSession } from '../session.ts';
import { readTextArgument } from '../text-input.ts';

/** What each block category is for, as `mod act --help` explains it. */
const CATEGORY_HELP: Record<BlockCategory, string> = {
  terrorism: 'terrorist propaganda',
  childAbuse: 'child abuse material',
  pornography: 'pornography in a public group or channel',
  copyright: 'copyright infringement',
  illegalGoods: 'selling illegal goods',
  fraud: 'fraud or spam',
};

/** `samizdat mod …`: the moderators' queue, actions and appeals (needs the moderator role). */
export function modCommand(): Command {
  return new Command('mod')
    .description('Moderate: work the queue of reports, act on a target, decide appeals (moderator role)')
    .addHelpText(
      'after',
      '\nThe operator grants the moderator role on the server\'s data folder: samizdat admin grant moderator USER.\n' +
        'Anyone else gets ROLE_REQUIRED. Every action is recorded with who, when, category and note; every\n' +
        'block is also an entry of the public, signed transparency log (samizdat transparency verify).',
    )
    .addCommand(queueCommand())
    .addCommand(actCommand())
    .addCommand(appealsCommand())
    .addCommand(decideCommand());
}

function queueCommand(): Command {
  return new Command('queue')
    .description('Open reports grouped by target, most reporters first: counts, reasons, comments and the content')
    .option('--limit <n>', 'how many targets to show, 1–100', integerIn(1, 100), 20)
    .addHelpText(
      'after',
      '\nEach target is a block of lines:\n' +
        '  [channel 12 "News" @news] 3 reports from 2 users · terrorism 2, spam 1 · first … · last …\n' +
        '    comment: recruits for an armed group\n' +
        '    act: samizdat mod act 12 dismiss|block --category CATEGORY --note TEXT\n' +
        'A reported message shows its sender and text; for a private chat that is the evidence sealed\n' +
        'when it was reported, and nothing else of the chat.\n' +
        '\nWith --json: an array of the protocol\'s ModerationQueueItem.',
    )
    .action(async (options: { limit: number }, command: Command) => {
      const context = commandContext(command);
      await withSession(context, async ({ client }) => {
        const { items } = await client.call('moderation.getQueue', { limit: options.limit });
        if (context.isJson) {
          output.json(items);
          return;
        }
        if (items.length === 0) output.line('The queue is empty');
        items.forEach((item, index) => {
          if (index > 0) output.line('');
          for (const line of formatQueueItem(item)) output.line(line);
        });
      });
    });
}

interface ActOptions {
  category?: BlockCategory;
  note: string;
}

function actCommand(): Command {
  const categoryLines = BLOCK_CATEGORIES.map((category) => `  ${category.padEnd(13)}${CATEGORY_HELP[category]}`).join('\n');
  return new Command('act')
    .description('Act on a reported target: dismiss the reports, remove a message, block a public chat, ban a user')
    .argument('<target>', `${TARGET_HELP}; mod queue prints it`)
    .addArgument(new Argument('<action>', 'dismiss (any target), remove (a message), block (a public group or channel), ban (a user)').choices(Object.keys(MOD_ACTIONS)))
    .addOption(new Option('--category <category>', 'why, for every action but dismiss').choices(BLOCK_CATEGORIES))
    .addOption(new Option('--note <text>', 'what you saw and why you acted, up to 2000 characters; - reads it from stdin').makeOptionMandatory())
    .addHelpText(
      'after',
      `\nCategories (fixed in code):\n${categoryLines}\n` +
        'There is no category for political speech, and no block per country or region: the server\'s\n' +
        'API has neither, so no such request can be expressed as a block.\n' +
        '\nA block takes the chat out of search and links and stops new posts; its members see a notice\n' +
        'with the category, and the owner may appeal once. remove deletes the message for everyone; ban\n' +
        'ends all sessions of the account and keeps its number out. Each action closes the target\'s\n' +
        'open reports.\n' +
        '\nWith --json: {"actionId","target","action","category"} (action as the protocol names it).',
    )
    .action(async (targetInput: string, actionName: ModActionName, options: ActOptions, command: Command) => {
      const context = commandContext(command);
      const wanted = MOD_ACTION_TARGET[actionName];
      const parsed = parseTargetInput(targetInput);
      if (wanted !== null && parsed.kind !== wanted) {
        throw new CliError('USAGE_INVALID', `Cannot ${actionName} "${targetInput}": ${actionName} takes ${describeKind(wanted)}, and that is ${describeKind(parsed.kind)}`);
      }
      if (actionName !== 'dismiss' && options.category === undefined) {
        throw new CliError('USAGE_INVALID', `Cannot ${actionName} "${targetInput}": give --category, one of ${BLOCK_CATEGORIES.join(', ')}`);
      }
      const note = await readTextArgument(options.note);
      const action = MOD_ACTIONS[actionName];
      await withSession(context, async ({ client, user: self }) => {
        const target = await resolveTarget(client, targetInput, self);
        const category = options.category;
        const { actionId } = await client.call('moderation.act', { target, action, note, ...(category === undefined ? {} : { category }) });
        if (context.isJson) output.json({ actionId, target, action, category: category ?? null });
        else output.line(`${describeDone(actionName, target, category)}; recorded as action #${actionId}`);
      });
    });
}

function describeKind(kind: 'chat' | 'message' | 'user'): string {
  return kind === 'chat' ? 'a group or channel' : `a ${kind}`;
}

function describeDone(action: ModActionName, target: ReportTarget, category: BlockCategory | undefined): string {
  const why = category === undefined ? '' : ` (${category})`;
  switch (action) {
    case 'dismiss':
      return `Dismissed the reports of ${formatTargetArgument(target)}`;
    case 'remove':
      return `Removed message ${formatTargetArgument(target)} for everyone${why}`;
    case 'block':
      return `Blocked chat ${formatTargetArgument(target)}${why}: out of search and links, no new posts, members see the notice`;
    case 'ban':
      return `Banned ${formatTargetArgument(target)}${why}: all its sessions ended`;
  }
}

function appealsCommand(): Command {
  return new Command('appeals')
    .description('Pending appeals of blocks and spam limits')
    .addHelpText('after', '\nLines: #3 pending · block of chat 12 · by user 5 on 2026-01-01 10:00: TEXT\n\nWith --json: an array of the protocol\'s Appeal.')
    .action(async (_options: unknown, command: Command) => {
      const context = commandContext(command);
      await withSession(context, async ({ client }) => {
        const { appeals } = await client.call('moderation.getAppeals', {});
        if (context.isJson) output.json(appeals);
        else if (appeals.length === 0) output.line('No pending appeals');
        else for (const appeal of appeals) output.line(formatAppealLine(appeal));
      });
    });
}

function decideCommand(): Command {
  return new Command('decide')
    .description('Decide an appeal: upheld keeps the block or limit, lifted ends it')
    .argument('<appeal-id>', 'the appeal, as mod appeals shows it (#3 → 3)', parseId)
    .addArgument(new Argument('<decision>', 'upheld or lifted').choices(['upheld', 'lifted']))
    .addOption(new Option('--note <text>', 'why, up to 2000 characters; - reads it from stdin').makeOptionMandatory())
    .addHelpText(
      'after',
      '\nThe moderator who took the action appealed, and the appellant, cannot decide (APPEAL_INVALID).\n' +
        'Lifting a block is an unblock entry of the transparency log.\n' +
        '\nWith --json: the decided Appeal.',
    )
    .action(async (appealId: number, decision: 'upheld' | 'lifted', options: { note: string }, command: Command) => {
      const context = commandContext(command);
      const note = await readTextArgument(options.note);
      await withSession(context, async ({ client }) => {
        const { appeal } = await client.call('moderation.decideAppeal', { appealId, decision, note });
        if (context.isJson) output.json(appeal);
        else output.line(formatAppealLine(appeal));
      });
    });
}
