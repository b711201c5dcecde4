/** What a valid number is for, as the numbering plan of its region says. */
export type PhoneType =
  | 'mobile' | 'fixed_line' | 'fixed_line_or_mobile' | 'toll_free' | 'premium_rate' | 'shared_cost'
  | 'voip' | 'personal_number' | 'pager' | 'uan' | 'voicemail' | 'unknown';
