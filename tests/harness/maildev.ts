// MailDev's REST API (the SMTP catcher `npm start` and the harness run): what arrived, for whom.
export interface Email {
  id: string;
  subject: string;
  text?: string;
  html?: string;
  to: { address: string; name?: string }[];
  time: string;
}

export async function emailsTo(maildevUrl: string, address: string): Promise<Email[]> {
  const res = await fetch(`${maildevUrl}/email`);
  if (!res.ok) throw new Error(`MailDev ${res.status}`);
  const all = (await res.json()) as Email[];
  return all.filter((e) => e.to.some((t) => t.address.toLowerCase() === address.toLowerCase()));
}
