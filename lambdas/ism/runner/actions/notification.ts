import { errorMessage } from '../../cluster-api';
import { templateContext } from '../../managed-index/model';
import type { NotificationConfig } from '../../policy/model';
import { completed, failed, type ActionDefinition } from '../step';

/**
 * notification: `attempt_notification`. Not resumable: after a crash nobody can tell whether the
 * message went out, so the index fails (as in the plugin) rather than sending it twice.
 */
export const notification: ActionDefinition<'notification'> = {
  type: 'notification',
  steps: () => [
    {
      name: 'attempt_notification',
      resumable: false,
      async execute({ config, index, metadata, notifier }) {
        const c = config as NotificationConfig;
        const i = index.name;
        if (!notifier) return failed(`Failed to send notification [index=${i}]`, 'no notifier is configured');
        try {
          const source =
            typeof c.message_template.source === 'string'
              ? c.message_template.source
              : JSON.stringify(c.message_template.source);
          const text = notifier.render(source, templateContext(metadata));
          await notifier.send(c.channel ?? c.destination, 'Index Management-ISM-Notification Action', text);
          return completed(`Successfully sent notification [index=${i}]`);
        } catch (e) {
          return failed(`Failed to send notification [index=${i}]`, errorMessage(e));
        }
      },
    },
  ],
};
