"""Word lists of the demo conference. All made up; any likeness to real people or firms
is chance."""

VENUES = [
    ("America/Los_Angeles", "San Francisco, CA"),
    ("Europe/Berlin", "Berlin"),
    ("America/New_York", "Boston, MA"),
    ("Asia/Tokyo", "Tokyo"),
    ("Europe/Lisbon", "Lisbon"),
    ("America/Chicago", "Chicago, IL"),
    ("Australia/Sydney", "Sydney"),
    ("America/Vancouver", "Vancouver, BC"),
    ("Europe/Amsterdam", "Amsterdam"),
    ("America/Sao_Paulo", "São Paulo"),
    ("Africa/Nairobi", "Nairobi"),
    ("Asia/Singapore", "Singapore"),
]
VENUE_WORDS = [
    "Harborview", "Riverside", "Lakeside", "Ironworks", "Foundry", "Granary", "Skyline",
    "Waterfront"
]  # fmt: skip
VENUE_KINDS = ["Convention Center", "Conference Centre", "Congress Hall", "Expo Center"]
STREETS = ["Canal Street", "Mill Lane", "Quay Road", "Foundry Way", "Orchard Avenue", "Pier Row"]
EVENT_WORDS = [
    "Kestrel", "Driftwood", "Tidepool", "Basalt", "Marigold", "Foxglove", "Lanternfish",
    "Cobblestone"
]  # fmt: skip
EVENT_KINDS = ["DevDays", "Summit", "Conf", "Tech Days", "Forum"]

ROOM_NAMES = [
    "Auditorium", "Harbour", "Lighthouse", "Cedar", "Maple", "Birch", "Willow", "Aspen",
    "Rowan", "Hazel", "Alder", "Elm", "Juniper", "Larch", "Linden", "Poplar", "Spruce",
    "Hawthorn", "Chestnut", "Magnolia", "Sycamore", "Cypress", "Laurel", "Olive"
]  # fmt: skip
MAIN_ROOM = "Main Hall"

TRACK_COLORS = [
    "#2a6f97", "#c44536", "#3d8b37", "#8e44ad", "#d68910", "#17a2b8",
    "#b03a6f", "#5d6d7e", "#a0522d", "#1e8449", "#34495e", "#e67e22",
]  # fmt: skip
TRACKS = [
    ("Cloud & Infrastructure", [
        "Kubernetes operators", "service meshes", "edge clusters", "container images",
        "serverless functions", "infrastructure as code", "multi-region failover",
        "autoscaling",
    ]),
    ("Security", [
        "supply-chain security", "secrets management", "threat modelling",
        "zero-trust networking", "dependency audits", "incident response", "passkeys",
        "fuzzing",
    ]),
    ("Data & Machine Learning", [
        "feature stores", "data pipelines", "stream processing", "vector search",
        "model evaluation", "data contracts", "query planners", "columnar storage",
    ]),
    ("Web & Mobile", [
        "web components", "offline-first apps", "accessibility", "design systems",
        "server-side rendering", "progressive web apps", "mobile release trains",
        "web performance",
    ]),
    ("Developer Experience", [
        "build caches", "monorepos", "code review", "internal platforms", "documentation",
        "flaky tests", "local development environments", "CI pipelines",
    ]),
    ("Observability", [
        "distributed tracing", "structured logging", "SLOs", "alert fatigue",
        "continuous profiling", "metrics cardinality", "on-call rotations", "dashboards",
    ]),
    ("Languages & Runtimes", [
        "Rust", "WebAssembly", "garbage collectors", "async runtimes", "type systems",
        "Python packaging", "JIT compilers", "memory safety",
    ]),
    ("Databases", [
        "PostgreSQL", "schema migrations", "replication", "connection pooling",
        "time-series storage", "indexes", "backups", "sharding",
    ]),
    ("Architecture", [
        "event-driven systems", "modular monoliths", "API design", "caching",
        "idempotency", "backpressure", "message queues", "legacy rewrites",
    ]),
    ("Community & Careers", [
        "open-source maintainership", "mentoring", "inclusive teams", "technical writing",
        "remote collaboration", "first contributions", "project governance",
        "sustainable pace",
    ]),
]  # fmt: skip

SESSION_TYPES = [
    # (kind in the plan, name, is_break)
    ("keynote", "Keynote", False),
    ("talk", "Talk", False),
    ("lightning", "Lightning talk", False),
    ("panel", "Panel", False),
    ("workshop", "Workshop", False),
    ("break", "Break", True),
]

TALK_TITLES = [
    "{Title} Without the Drama",
    "{n} Lessons from {Title} in Production",
    "A Field Guide to {Title}",
    "{Title} at Scale: What Actually Broke",
    "Beyond the Hype: {Title} in Practice",
    "Taming {Title}",
    "{Title}, the Boring Way",
    "Rethinking {Title} for Small Teams",
    "What Nobody Tells You About {Title}",
    "Debugging {Title}: Stories from the Trenches",
    "The Hidden Costs of {Title}",
    "{Title} Meets {Title2}",
    "{Title} for the Rest of Us",
    "Why {Title} Is Harder Than It Looks",
    "Getting Started with {Title}",
    "A Year of {Title}: A Retrospective",
    "Measuring {Title} Before Changing It",
    "Untangling {Title} and {Title2}",
]
PANEL_TITLES = [
    "Panel: The Future of {Title}",
    "Ask the Practitioners: {Title}",
    "{Title}: Where Do We Go from Here?",
    "Roundtable on {Title} and {Title2}",
]
WORKSHOP_TITLES = [
    "Hands-On {Title}",
    "{Title} Lab: From an Empty Repository to Production",
    "Practical {Title}, Step by Step",
    "Workshop: {Title} in an Afternoon",
]
LIGHTNING_TITLES = [
    "{Title} in Ten Minutes",
    "A Tiny Tool for {Title}",
    "My Favourite {Title} Bug",
    "{Title}: A Quick Demo",
    "One Small Fix for {Title}",
]
KEYNOTE_TITLES = [
    "Software That Lasts",
    "Small Tools, Big Teams",
    "The Quiet Work of Reliability",
    "Building for People Who Are Not Us",
    "Curiosity as an Engineering Practice",
    "What the Last Outage Taught Us",
    "Maintainers Are People Too",
    "The Long Game of Open Source",
    "Simplicity Is a Feature",
    "Ten Thousand Deploys Later",
    "Writing Code Other People Can Read",
    "The Case for Slower Software",
]

OPENERS = [
    "On paper, {topic} looks simple; day-to-day reality is messier.",
    "Most teams meet {topic} long before they are ready for it.",
    "This session looks at {topic} through the eyes of a team that had to make it "
    "work under a deadline.",
    "Everyone agrees that getting {topic} right matters; fewer agree on how.",
    "Two years ago our approach to {topic} was a collection of scripts and good intentions.",
]
MIDDLES = [
    "We walk through {n} real incidents, what caused them, and the small changes that "
    "prevented the next one.",
    "Expect diagrams, a **live demo**, and at least one honest mistake.",
    "You will see the trade-offs between speed, cost and safety, and which of them we "
    "would make again.",
    "Along the way we compare {topic} with {topic2} and show where each one fits.",
    "We share the numbers before and after, including the ones that did not move.",
]
CLOSERS = [
    "You will leave with a checklist you can apply on Monday.",
    "No prior experience with {topic} is needed.",
    "Slides and sample code will be shared after the session.",
    "We keep ten minutes at the end for *your* questions.",
]
LEARNINGS = [
    "how to measure {topic} before changing it",
    "where {topic2} helps and where it gets in the way",
    "a rollout plan that survives contact with production",
    "which defaults to change first, and which to leave alone",
    "how to explain the trade-offs to the rest of your organisation",
    "the three metrics we watch every morning",
]
PANEL_ABSTRACTS = [
    "A conversation among practitioners about {topic}: what has changed in the last "
    "few years, what has not, and what they would tell a team starting today.",
    "Our panelists have run {topic} in very different places. They compare notes, "
    "disagree politely, and answer questions from the audience.",
]
WORKSHOP_ABSTRACTS = [
    "A hands-on session: we build a small but complete example of {topic}, one step "
    "at a time, and you leave with working code.",
    "Learn {topic} by doing. We pair up, work through short exercises, and discuss "
    "the results together.",
]
REQUIREMENTS = [
    "a laptop with Git and a recent browser",
    "Docker or Podman installed",
    "a free account on nothing at all: everything runs locally",
    "basic comfort with a terminal",
]
KEYNOTE_ABSTRACTS = [
    "Our {ordinal} keynote asks what it takes to build things that are still useful "
    "in ten years, and why the answer is mostly about people.",
    "A look back at a decade of building and running software, and a look forward at "
    "the habits worth keeping.",
]
BREAK_ABSTRACTS = {
    "Coffee break": "Coffee, tea and snacks in the foyer.",
    "Afternoon coffee": "Coffee, tea and fruit in the foyer.",
    "Lunch": "Lunch is served in the {room}; vegetarian and vegan options are labelled.",
}

FIRST_NAMES = [
    "Aaliyah", "Abdul", "Ada", "Adebayo", "Aiko", "Alejandro", "Amara", "Amir", "Ana", "Anders",
    "Anh", "Anika", "Arjun", "Astrid", "Aylin", "Babajide", "Beatriz", "Bilal", "Björn",
    "Camille", "Carlos", "Chen", "Chiara", "Chidi", "Clara", "Dalia", "Daniel", "Dario",
    "Deepa", "Diego", "Dmitri", "Elif", "Elena", "Emeka", "Emil", "Esi", "Esther", "Fatima",
    "Felix", "Femi", "Freya", "Gabriel", "Greta", "Hana", "Hamza", "Hannah", "Haruto", "Hugo",
    "Ines", "Ingrid", "Isaac", "Ivan", "Jamal", "Jana", "Javier", "Jin", "Joao", "Jonas",
    "Julia", "Kai", "Kavya", "Keiko", "Kemal", "Kofi", "Lars", "Laila", "Lea", "Leon", "Lina",
    "Luca", "Lucia", "Mai", "Malik", "Marco", "Mariam", "Mateo", "Maya", "Mehmet", "Mei",
    "Mika", "Milan", "Mina", "Nadia", "Naveen", "Nia", "Nikolai", "Noor", "Olga", "Omar",
    "Oskar", "Paulo", "Priya", "Quentin", "Rafael", "Rania", "Ravi", "Rosa", "Rui", "Sakura",
    "Samir", "Sara", "Sebastian", "Selin", "Sipho", "Sofia", "Sunita", "Tariq", "Thandiwe",
    "Theo", "Tomas", "Uma", "Valentina", "Vikram", "Wanjiru", "Wei", "Xavier", "Yara", "Yasmin",
    "Yuki", "Yusuf", "Zainab", "Zeynep", "Zofia", "Ayesha", "Bram", "Cyrus", "Dana", "Eero",
    "Farid", "Gwen", "Ilse", "Jorge", "Kenji", "Liesel", "Mateus", "Noah", "Otto", "Pia", "Ren",
    "Saoirse"
]  # fmt: skip
LAST_NAMES = [
    "Abara", "Acheampong", "Adeyemi", "Ahmed", "Alvarez", "Andersen", "Aoki", "Barros",
    "Becker", "Bergström", "Bianchi", "Bose", "Brennan", "Castillo", "Chatterjee", "Chowdhury",
    "Costa", "Dahl", "Delgado", "Dimitrov", "Dubois", "Eze", "Farah", "Fernandes", "Fischer",
    "Fontaine", "Fujita", "Gallagher", "García", "Gonzaga", "Gupta", "Haddad", "Hansen",
    "Hartmann", "Hoang", "Horvath", "Ibrahim", "Iyer", "Jansen", "Jensen", "Kapoor", "Kaur",
    "Kim", "Kowalski", "Lambert", "Larsen", "Leclerc", "Lee", "Lindqvist", "Lopez", "Mahlangu",
    "Marino", "Martins", "Mendes", "Moreau", "Murphy", "Nakamura", "Nair", "Naidoo", "Nguyen",
    "Novak", "Nowak", "Obi", "Odhiambo", "Okafor", "Okoro", "Olsen", "Ortiz", "Osei", "Park",
    "Patel", "Pereira", "Petrov", "Popescu", "Quispe", "Rahman", "Ramos", "Rao", "Reyes",
    "Rossi", "Sato", "Schmidt", "Sharma", "Silva", "Singh", "Sokolova", "Suzuki", "Tanaka",
    "Tran", "Varga", "Vasquez", "Virtanen", "Wagner", "Walsh", "Wang", "Weber", "Yamamoto",
    "Yilmaz", "Zhang", "Zhou", "Achterberg", "Baptiste", "Carvalho", "Dlamini", "Eriksen",
    "Ferreira", "Grant", "Halvorsen", "Ishikawa", "Jovanović", "Kariuki", "Lindgren", "Mensah",
    "Nordin", "Oyelaran", "Pham", "Quinn", "Rasmussen", "Santos", "Takahashi", "Uddin",
    "Valdez", "Watanabe", "Xu", "Yeo", "Zielinski", "Aziz", "Bakker", "Cruz", "Duarte", "Engel",
    "Fuchs", "Gill", "Holm", "Ito", "Jaramillo"
]  # fmt: skip
SENIORITY = ["", "", "Senior ", "Staff ", "Principal ", "Lead "]
ROLES = [
    "Software Engineer", "Site Reliability Engineer", "Platform Engineer", "Data Engineer",
    "Security Engineer", "Developer Advocate", "Product Manager", "Engineering Manager",
    "Data Scientist", "Frontend Developer", "Mobile Developer", "Solutions Architect",
    "Research Scientist", "Technical Writer", "Database Administrator",
]  # fmt: skip
SOLO_TITLES = ["CTO", "Co-founder", "VP of Engineering", "Independent Consultant", "Maintainer"]
COMPANY_HEADS = [
    "Cinder", "Moss", "Pebble", "Quill", "Tundra", "Yarrow", "Basil", "Kelp", "Umber", "Fennel",
    "Gable", "Heron"
]  # fmt: skip
COMPANY_TAILS = ["loop", "byte", "field", "stack", "forge", "wave", "grid", "lane", "leaf", "mark"]
COMPANY_KINDS = ["", "", " Labs", " Systems", " Health", " Logistics", " Analytics", " Games"]
ACTIVITIES = [
    "building payment systems",
    "running infrastructure for a public broadcaster",
    "teaching programming at evening classes",
    "maintaining open-source libraries",
    "helping hospitals move off paper",
    "writing compilers for small devices",
    "scaling a marketplace from one server to many",
    "keeping a large monorepo fast",
    "designing APIs that other teams actually enjoy",
    "chasing latency in trading systems",
]
HOBBIES = [
    "bakes sourdough with mixed results",
    "runs trail races",
    "restores old bicycles",
    "plays the cello, badly but happily",
    "grows tomatoes on a tiny balcony",
    "volunteers at a coding club for kids",
    "collects vintage calculators",
    "climbs indoors and occasionally outdoors",
    "sketches buildings on train journeys",
    "is learning a fourth language",
]
MASTODON_SERVERS = ["social.example", "toot.example.net", "fedi.example.org"]
ORDINALS = ["opening", "second", "third", "fourth", "fifth", "sixth", "seventh"]
