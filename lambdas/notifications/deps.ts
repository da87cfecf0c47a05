import { systemClock } from '../shared/clock';
import { ChannelService } from './channel/service';
import { channelStore } from './notifier';

/** Wiring for the config handlers: built once per container, on first use. */
let service: ChannelService | undefined;

export const channelService = (): ChannelService =>
  (service ??= new ChannelService(channelStore(), systemClock));
