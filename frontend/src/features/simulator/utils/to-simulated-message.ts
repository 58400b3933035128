// Turns the simulator form's text fields into the API body, leaving out empty optional fields.
// A private chat's id is the user's id (Telegram's rule), so its Chat ID is the User ID and it
// has no title; a group's chat id is negative.
import type { SimulatedMessage } from '../api/simulate-message';

export type ChatType = 'private' | 'group';

export type SimulatorForm = {
  chatType: ChatType;
  chatId: string;
  chatTitle: string;
  userId: string;
  firstName: string;
  username: string;
  text: string;
};

export const EMPTY_FORM: SimulatorForm = {
  chatType: 'group',
  chatId: '',
  chatTitle: '',
  userId: '',
  firstName: '',
  username: '',
  text: '',
};

/** A newcomer's first message: a private chat of a sample user, ready to send once typed. */
export const SAMPLE_USER_ID = '1001';

/** The form for a chat already open in the console (its type follows the id's sign; its title,
 * a private chat's user name, is kept so the next message does not rename the chat), or, with
 * none open, a private chat of a sample user named sampleName. */
export function formForChat(
  chatId: number | null | undefined,
  sampleName = '',
  chatTitle = '',
): SimulatorForm {
  if (!chatId) {
    return { ...EMPTY_FORM, chatType: 'private', userId: SAMPLE_USER_ID, firstName: sampleName };
  }
  return chatId > 0
    ? { ...EMPTY_FORM, chatType: 'private', userId: String(chatId), firstName: chatTitle }
    : { ...EMPTY_FORM, chatType: 'group', chatId: String(chatId), chatTitle };
}

/** The chat id the form sends to, or null while it is not valid for the chosen type. */
export function effectiveChatId(form: SimulatorForm): number | null {
  if (form.chatType === 'private') {
    const user = form.userId.trim();
    return /^\d{1,16}$/.test(user) && Number(user) > 0 ? Number(user) : null;
  }
  const chat = form.chatId.trim();
  return /^-\d{1,16}$/.test(chat) && Number(chat) < 0 ? Number(chat) : null;
}

/** Inserts "@username " at the caret (or the end), with a space before it when needed. */
export function insertMention(
  text: string,
  username: string,
  caret: number = text.length,
): { text: string; caret: number } {
  const at = Math.max(0, Math.min(caret, text.length));
  const before = text.slice(0, at);
  const after = text.slice(at);
  const lead = before === '' || /\s$/.test(before) ? '' : ' ';
  const mention = `${lead}@${username.replace(/^@/, '')} `;
  return { text: before + mention + after.replace(/^ /, ''), caret: at + mention.length };
}

export function toSimulatedMessage(form: SimulatorForm): SimulatedMessage {
  const chatId = effectiveChatId(form);
  const body: SimulatedMessage = { chat_id: chatId ?? Number(form.chatId), text: form.text };
  if (form.chatType === 'group' && form.chatTitle.trim()) body.chat_title = form.chatTitle.trim();
  if (form.userId.trim()) body.user_id = Number(form.userId);
  if (form.firstName.trim()) body.first_name = form.firstName.trim();
  if (form.username.trim()) body.username = form.username.trim().replace(/^@/, '');
  return body;
}
