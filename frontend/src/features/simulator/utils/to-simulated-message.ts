// Turns the simulator form's text fields into the API body, leaving out empty optional fields.
import type { SimulatedMessage } from '../api/simulate-message';

export type SimulatorForm = {
  chatId: string;
  chatTitle: string;
  userId: string;
  firstName: string;
  username: string;
  text: string;
};

export const EMPTY_FORM: SimulatorForm = {
  chatId: '',
  chatTitle: '',
  userId: '',
  firstName: '',
  username: '',
  text: '',
};

export function toSimulatedMessage(form: SimulatorForm): SimulatedMessage {
  const body: SimulatedMessage = { chat_id: Number(form.chatId), text: form.text };
  if (form.chatTitle.trim()) body.chat_title = form.chatTitle.trim();
  if (form.userId.trim()) body.user_id = Number(form.userId);
  if (form.firstName.trim()) body.first_name = form.firstName.trim();
  if (form.username.trim()) body.username = form.username.trim().replace(/^@/, '');
  return body;
}
