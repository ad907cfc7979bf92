// Word lists the tenant generator draws names, departments and places from. Pure data.

export const GIVEN_NAMES = [
  'Adele', 'Alex', 'Amara', 'Ana', 'Ben', 'Carlos', 'Chen', 'Chloe', 'Daniel', 'Diego', 'Elif', 'Emma',
  'Fatima', 'Felix', 'Grace', 'Hannah', 'Hiro', 'Ines', 'Isaac', 'Jana', 'Jonas', 'Kai', 'Lara', 'Lee',
  'Lena', 'Lucas', 'Maya', 'Megan', 'Miguel', 'Mia', 'Nadia', 'Noah', 'Olga', 'Omar', 'Priya', 'Raj',
  'Rosa', 'Sam', 'Sara', 'Sofia', 'Tom', 'Uma', 'Victor', 'Wei', 'Yara', 'Yusuf', 'Zoe', 'Zara',
] as const;

export const SURNAMES = [
  'Adams', 'Bakker', 'Becker', 'Brown', 'Chen', 'Costa', 'Dubois', 'Eriksson', 'Fischer', 'Garcia', 'Gupta',
  'Hansen', 'Ito', 'Jansen', 'Johnson', 'Kim', 'Kowalski', 'Larsen', 'Lopez', 'Martin', 'Meyer', 'Moreau',
  'Müller', 'Nakamura', 'Nguyen', 'Novak', 'Okafor', 'Patel', 'Petrov', 'Rossi', 'Santos', 'Schmidt',
  'Silva', 'Singh', 'Smith', 'Suzuki', 'Tanaka', 'Taylor', 'Visser', 'Wagner', 'Wang', 'Weber', 'Wilson',
  'Yamamoto', 'Zhang',
] as const;

export interface Department {
  name: string;
  /** Job titles, most senior first: the generator gives managers the early ones. */
  titles: readonly string[];
}

export const DEPARTMENTS: readonly Department[] = [
  { name: 'Engineering', titles: ['VP Engineering', 'Engineering Manager', 'Principal Engineer', 'Senior Software Engineer', 'Software Engineer'] },
  { name: 'Sales', titles: ['VP Sales', 'Sales Manager', 'Account Executive', 'Sales Representative'] },
  { name: 'Marketing', titles: ['CMO', 'Marketing Manager', 'Product Marketing Manager', 'Marketing Specialist'] },
  { name: 'Finance', titles: ['CFO', 'Finance Manager', 'Financial Analyst', 'Accountant'] },
  { name: 'Human Resources', titles: ['CHRO', 'HR Manager', 'HR Business Partner', 'Recruiter'] },
  { name: 'IT', titles: ['CIO', 'IT Manager', 'Identity Administrator', 'Systems Engineer', 'Service Desk Analyst'] },
  { name: 'Legal', titles: ['General Counsel', 'Legal Counsel', 'Paralegal'] },
  { name: 'Operations', titles: ['COO', 'Operations Manager', 'Operations Analyst', 'Coordinator'] },
  { name: 'Customer Support', titles: ['Support Director', 'Support Manager', 'Support Engineer', 'Support Agent'] },
  { name: 'Research', titles: ['Research Director', 'Principal Researcher', 'Research Scientist', 'Research Assistant'] },
  { name: 'Product', titles: ['CPO', 'Group Product Manager', 'Product Manager', 'Product Designer'] },
  { name: 'Security', titles: ['CISO', 'Security Manager', 'Security Engineer', 'Security Analyst'] },
];

export interface Site {
  /** ISO 3166 two-letter code, as usageLocation and country take it. */
  country: string;
  city: string;
  office: string;
  language: string;
  phonePrefix: string;
}

/** Offices; the first ones are drawn more often (headquarters first). */
export const SITES: readonly Site[] = [
  { country: 'US', city: 'Seattle', office: 'SEA-1', language: 'en-US', phonePrefix: '+1 206 555' },
  { country: 'US', city: 'New York', office: 'NYC-2', language: 'en-US', phonePrefix: '+1 212 555' },
  { country: 'GB', city: 'London', office: 'LON-1', language: 'en-GB', phonePrefix: '+44 20 7946' },
  { country: 'DE', city: 'Berlin', office: 'BER-1', language: 'de-DE', phonePrefix: '+49 30 5550' },
  { country: 'NL', city: 'Amsterdam', office: 'AMS-1', language: 'nl-NL', phonePrefix: '+31 20 555' },
  { country: 'FR', city: 'Paris', office: 'PAR-1', language: 'fr-FR', phonePrefix: '+33 1 5550' },
  { country: 'IN', city: 'Bengaluru', office: 'BLR-1', language: 'en-IN', phonePrefix: '+91 80 5550' },
  { country: 'JP', city: 'Tokyo', office: 'TYO-1', language: 'ja-JP', phonePrefix: '+81 3 5550' },
  { country: 'BR', city: 'São Paulo', office: 'GRU-1', language: 'pt-BR', phonePrefix: '+55 11 5550' },
  { country: 'AU', city: 'Sydney', office: 'SYD-1', language: 'en-AU', phonePrefix: '+61 2 5550' },
];

/** Partner organisations guests are invited from. */
export const PARTNER_DOMAINS = ['fabrikam.com', 'northwindtraders.com', 'adatum.com', 'litware.com', 'tailspintoys.com', 'wingtiptoys.com'] as const;

export const GROUP_TOPICS = [
  'Project Falcon', 'Project Atlas', 'Project Orion', 'Quarterly Planning', 'Brand Refresh', 'Data Platform',
  'Cloud Migration', 'Customer Advisory Board', 'Onboarding', 'Hackathon', 'Leadership Team', 'Social Club',
  'Release Train', 'Incident Response', 'Vendor Management', 'Sustainability', 'Pricing', 'Partner Program',
  'Mobile App', 'Web Portal', 'Compliance', 'Analytics', 'Design System', 'Field Sales',
] as const;

export const APP_NAMES = [
  'HR Portal', 'Expense Tracker', 'Sales Dashboard', 'Inventory Service', 'Payroll Sync', 'Ticketing',
  'Wiki', 'Build Agent', 'Backup Runner', 'Directory Sync Reporter', 'Contract Manager', 'Travel Booking',
  'Learning Hub', 'Customer Portal', 'Billing API', 'Data Lake Ingest', 'Chatbot', 'Timesheets',
  'Asset Tracker', 'Onboarding Workflow', 'Security Scanner', 'Recruiting', 'Intranet', 'Forecasting',
] as const;

export const AGENT_PURPOSES = ['Helpdesk', 'Procurement', 'Research', 'Meeting Notes', 'Code Review', 'Onboarding', 'Travel', 'IT Operations'] as const;
