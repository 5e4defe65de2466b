import { REPORT_REASONS } from '@samizdat/protocol';
import { Command, Option } from 'commander';
import { commandContext } from '../command-context.ts';
import { output } from '../output.ts';
import { resolveTarget, TARGET_HELP } from '../safety-target.ts';
import { withSession } from '../session.ts';

/** `samizdat report TARGET --reason R`: reports a public chat, a message or a user to the moderators. */
export function reportCommand(): Command {
  return new Command('report')
    .description('Report a public group or channel, a message, or a user to the moderators')
    .argument('<target>', TARGET_HELP)
    .addOption(new Option('--reason <reason>', 'why').choices(REPORT_REASONS).makeOptionMandatory())
    .option('--comment <text>', 'a few words for the moderators, up to 1000 characters')
    .addHelpText(
      'after',
      '\nTARGET is one of:\n' +
        '  @username or CHAT_ID        a public group or channel (one with a username)\n' +
        '  PEER:MESSAGE_ID             a message, e.g. @news:5, 12:5, +15551234567:7 (as download takes it)\n' +
        '  user:@name, user:+phone     a user\n' +
        '  user:ID                     a user by id (as samizdat mod queue prints it)\n' +
        '\nA message of a private chat or of a private group may be reported by a member who can see it;\n' +
        'the report then carries that message as evidence, and nothing else of the chat. Reporting the\n' +
        'same target again while your report is open changes nothing ("Already reported"). At most 20\n' +
        'reports an hour (FLOOD_WAIT).\n' +
        '\nWith --json: {"reportId","isDuplicate","target"} (target as the protocol\'s ReportTarget).',
    )
    .action(async (targetInput: string, options: { reason: (typeof REPORT_REASONS)[number]; comment?: string }, command: Command) => {
      const context = commandContext(command);
      await withSession(context, async ({ client, user: self }) => {
        const target = await resolveTarget(client, targetInput, self);
        const { reportId, isDuplicate } = await client.call('reports.report', {
          target,
          reason: options.reason,
          ...(options.comment === undefined ? {} : { comment: options.comment }),
        });
        if (context.isJson) output.json({ reportId, isDuplicate, target });
        else output.line(isDuplicate ? 'Already reported; your report is still open' : 'Reported; moderators will look at it');
      });
    });
}
