// The published sources the rules rest on, as user-facing text cites them (author, venue, year).
export const MATLACK_2015 = 'Matlack, "KVM Message Passing Performance", KVM Forum 2015';
export const HASKINS_2009 = 'Haskins, LKML thread "AlacrityVM guest drivers for 2.6.33", Dec 2009';
export const RUSSELL_2007 = 'Russell, "lguest performance" (blog), Jan 2007';
