"""The words synthetic records are made of: names, places, job titles and the free text of records.

Invented, in the register practitioners write in; no real person, child or case. Places
are made-up English-sounding towns, so no real agency is named.
"""


def _words(text: str, separator: str | None = None) -> tuple[str, ...]:
    return tuple(text.split(separator))


GIVEN_NAMES = _words(
    "Aaliyah Aaron Abdul Ada Adam Aisha Alfie Alice Amara Amelia Amir Ana Archie Arlo Ava Ayaan Bella "
    "Ben Bethany Billy Callum Caleb Chloe Connor Daisy Daniel Darcy David Dylan Eden Elijah Ella "
    "Ellie Elsie Emily Erin Ethan Evie Ewan Faith Fatima Finley Florence Freddie Freya George Grace "
    "Hamza Hannah Harley Harper Harry Harvey Hassan Hollie Ibrahim Idris Imogen Isaac Isabella Isla "
    "Ivy Jack Jacob Jade Jake James Jasmine Jayden Jessica Joshua Jude Kai Kayden Keira Kian Lacey "
    "Layla Leah Leo Lewis Liam Lily Logan Lola Louie Lucas Lucy Luke Maisie Maryam Maya Megan Mia "
    "Millie Mohammed Molly Muhammad Musa Nathan Niamh Noah Nora Olivia Oliver Oscar Owen Phoebe Poppy "
    "Priya Reggie Reuben Riley Rosie Ruby Ryan Sara Scarlett Sienna Sofia Sophie Stanley Summer Theo "
    "Thomas Tommy Tyler Willow Yusuf Zachary Zara Zain Zoe"
)

FAMILY_NAMES = _words(
    "Adams Ahmed Ali Allen Anderson Armstrong Atkinson Bailey Baker Barker Barnes Begum Bell Bennett "
    "Brown Burton Campbell Carter Chapman Clarke Collins Cooper Cox Davies Dawson Dixon Edwards Ellis "
    "Evans Fisher Fletcher Foster Francis Gibson Graham Grant Gray Green Hall Harris Harrison Hill "
    "Holmes Hughes Hunt Hussain Jackson James Jenkins Johnson Jones Kaur Kelly Kennedy Khan King "
    "Knight Kowalski Lee Lewis Lloyd Marshall Martin Mason Matthews Miah Mills Mitchell Moore Morgan "
    "Morris Murphy Murray Nowak Nwosu Okafor Okoye Owen Palmer Parker Patel Pearson Phillips Powell "
    "Price Rahman Reid Richards Roberts Robinson Rogers Rose Russell Saunders Scott Shah Shaw Simpson "
    "Singh Smith Stevens Stewart Taylor Thomas Thompson Turner Walker Walsh Ward Watson Webb Wells "
    "White Wilkinson Williams Wilson Wood Wright Young"
)

TOWNS = _words(
    "Ashby Vale,Barrowfield,Bramley Cross,Brookhurst,Calderwick,Castleford Green,Cheswick,"
    "Coldharbour,Cranmere,Dalston Moor,Dunmore,Eastwold,Elmstead,Fairlow,Farnbridge,Fernhill,Foxley,"
    "Glenmoor,Greyston,Hadley Heath,Halewood,Harrowgate,Hazelmere,Highcliff,Hollins End,Ingleby,"
    "Kestrel Bay,Kingsmere,Langford,Larkhill,Lowmoor,Maplestead,Marshbrook,Millbridge,Netherby,"
    "Newholme,Northwick,Oakhurst,Oldcastle,Pennington,Redbrook,Ridgeway,Rookwood,Saltmarsh,"
    "Sandhurst Vale,Shelford,Southmere,Stanwick,Stoneleigh,Summerfield,Thornbury Heath,Upton Lea,"
    "Wadebridge Vale,Westerby,Whitmore,Willowbrook,Winterbourne,Wolverley,Wrenfield,Yarrowby",
    separator=",",
)

COUNTY = "Northvale"  # the partnership's county

# Agency names by kind: "{town}" is filled in. Schools and practices come in many shapes.
AGENCY_NAMES = {
    "local_authority": ("{town} Council Children's Services", "{town} Youth Justice Service"),
    "police": ("{town} Police", "{town} Police Public Protection Unit"),
    "nhs_trust": (
        "{town} Community Health NHS Trust",
        "{town} Hospitals NHS Trust",
        "{town} Mental Health NHS Foundation Trust",
        "{town} Integrated Care Board",
        "{town} School Nursing Service",
    ),
    "gp_practice": (
        "{town} Medical Practice",
        "{town} Surgery",
        "{town} Health Centre",
        "{town} Family Practice",
    ),
    "school": (
        "{town} Primary School",
        "{town} Academy",
        "{town} High School",
        "St Mary's Primary School, {town}",
        "{town} Infant School",
        "{town} Junior School",
        "{town} Special School",
    ),
    "early_years": ("{town} Day Nursery", "{town} Pre-School", "Little Acorns Nursery, {town}"),
    "voluntary": (
        "{town} Family Support",
        "{town} Young Carers",
        "{town} Domestic Abuse Service",
        "{town} Youth Club",
    ),
    "commissioned": ("Brighter Futures {town}", "{town} Family Practitioners"),
    "other": (
        "{town} Housing Partnership",
        "{town} Fire and Rescue Service",
        "{town} College",
        "{town} Probation Delivery Unit",
    ),
}

REFERENCE_PREFIX = {
    "local_authority": "LA",
    "police": "POL",
    "nhs_trust": "NHS",
    "gp_practice": "GP",
    "school": "SCH",
    "early_years": "EY",
    "voluntary": "VOL",
    "commissioned": "COM",
    "other": "OTH",
}

PRACTITIONER_TITLES = {
    "local_authority": (
        "Social worker",
        "Senior social worker",
        "Family support worker",
        "Early help practitioner",
    ),
    "police": ("Police constable", "Detective constable", "Public protection officer"),
    "nhs_trust": ("Health visitor", "School nurse", "Community nurse", "Paediatrician", "CAMHS practitioner"),
    "gp_practice": ("GP", "Practice nurse", "Practice manager"),
    "school": ("Class teacher", "Head of year", "Pastoral lead", "Deputy designated safeguarding lead"),
    "early_years": ("Nursery practitioner", "Room leader"),
    "voluntary": ("Family support worker", "Youth worker", "Outreach worker"),
    "commissioned": ("Family practitioner", "Key worker"),
    "other": ("Housing officer", "Probation officer", "Fire safety officer", "Student support officer"),
}
LEAD_TITLES = (
    "Designated safeguarding lead",
    "Named nurse for safeguarding",
    "Safeguarding manager",
    "Team manager",
)
IG_TITLES = ("Information governance officer", "Data protection officer", "Records manager")
ADMIN_TITLES = ("Partnership administrator", "Systems administrator")

RELATIONSHIPS = (
    "Mother",
    "Father",
    "Grandmother",
    "Grandfather",
    "Special guardian",
    "Stepfather",
    "Aunt",
    "Foster carer",
)

REQUESTER_ROLES = (
    "Detective constable, child abuse investigation",
    "Social worker, assessment team",
    "Health visitor",
    "Designated safeguarding lead",
    "School nurse",
    "Youth justice officer",
    "Housing officer",
    "Paediatrician",
    "Early help coordinator",
    "MASH researcher",
)
RECIPIENT_ROLES = (
    "Detective constable",
    "Social worker",
    "Health visitor",
    "Designated safeguarding lead",
    "School nurse",
    "Team manager",
    "MASH researcher",
    "Paediatrician",
)

IDENTITY_CHECKS = (
    "Called back through the agency's switchboard and checked their role with their manager.",
    "Request came from a secure email address on the partnership directory.",
    "Known to me from the core group; confirmed their involvement with the family.",
    "Checked the collar number through the force control room.",
    "Met in person at the strategy meeting; the chair confirmed their role.",
    "Request on the agency's headed form, signed by the team manager.",
)

PURPOSE_DETAILS = {
    "safeguarding": (
        "Unexplained bruising reported by school; police considering a section 47 enquiry.",
        "Child disclosed being hit at home; strategy discussion called for this afternoon.",
        "Concerns about an older boyfriend and missing episodes; exploitation screening under way.",
        "Neglect concerns: repeated hunger at school and poor home conditions seen on a visit.",
    ),
    "child_in_need": (
        "Child in need assessment: the social worker needs our view of the child's needs.",
        "Review of the child in need plan; the family's circumstances have changed.",
    ),
    "early_help": (
        "Family asked for early help with routines and school attendance.",
        "Early help assessment after the parent asked for support with the child's behaviour.",
    ),
    "crime": (
        "Police investigating an assault on the child by an adult outside the family.",
        "Enquiry into online grooming; the police need dates of contact with the child.",
    ),
    "health_care": (
        "GP referral to community paediatrics; the clinic needs the safeguarding history.",
        "Health visitor's new birth visit: needs to know of previous concerns about the household.",
    ),
    "education": (
        "Attendance below 80%; the education welfare officer is planning support.",
        "Transfer to a new school; the receiving school needs the safeguarding file.",
    ),
    "multi_agency": (
        "Initial child protection conference next week; agencies asked for reports.",
        "Multi-agency risk assessment conference about domestic abuse in the household.",
    ),
}

INFORMATION_SHARED = (
    "Dates and descriptions of the concerns recorded this term.",
    "Summary of our involvement and the last home visit.",
    "Attendance figures and the notes of the two welfare calls.",
    "The child's current address and school, and the names of the adults in the household.",
    "The chronology of concerns since the family moved here.",
    "Health visitor contacts and missed appointments in the last year.",
)
HARM_IF_SHARED = (
    "The parents may be angry and disengage from support for a time.",
    "The child may feel we broke their trust and stop talking to us.",
    "The family may move away to avoid involvement.",
)
HARM_IF_NOT_SHARED = (
    "The child may continue to be harmed while the enquiry lacks our history.",
    "Agencies would plan without knowing the risks we have seen.",
    "The child could go missing again without anyone joining up the concerns.",
)
ADVICE_GIVEN = (
    "Share the dates and descriptions of concerns; not the whole file.",
    "Share now; tell the family afterwards unless the police advise against it.",
    "Sharing is proportionate; record why consent was not sought.",
    "Do not share the health details; share only that we have concerns.",
)
NO_AGREEMENT_REASONS = (
    "Child protection enquiry: sharing is needed now to protect the child.",
    "The recipient is not a signatory yet; the risk to the child cannot wait.",
)
FAMILY_NOT_TOLD = (
    "Telling the parents before the police visit could endanger the child.",
    "The child asked us not to tell their father; it would put them at risk.",
)
PROTECTED_IDENTITIES = (
    "The neighbour who reported the shouting.",
    "The school friend who told a teacher.",
    "",
)
NO_SHARE_DETRIMENT = (
    "The requester has no role in the child's care; sharing would breach the family's trust "
    "and could stop them using the service the child relies on.",
    "The request is for background only; the child's worker is already involved and the concern is met.",
    "The information is out of date and would mislead; sharing it would harm the child more than help.",
)
DEPARTURE_REASONS = (
    "Only the most recent concern is relevant to the enquiry.",
    "The flowchart points to sharing, but the request does not need identifying details.",
    "New information since the request makes sharing necessary despite the flowchart.",
)
OVERRIDE_REASONS = (
    "Consent was refused, but the child is at risk of significant harm; protecting them outweighs "
    "the refusal.",
    "The refusal stands for routine information; this share is limited to what the enquiry needs "
    "to keep the child safe.",
)
DISCUSSION_NOTES = (
    "Explained what would be shared, with whom and why; they agreed.",
    "Talked it through on the phone; they did not want the school told.",
    "Discussed at the home visit with both parents present.",
    "The young person wanted to think about it and rang back the next day.",
)
NOT_SOUGHT_NOTES = (
    "Asking the mother would alert the partner, who is the alleged abuser.",
    "The police asked us not to alert the family before the interview.",
    "The child is at immediate risk and there was no time to ask safely.",
)
BEST_INTERESTS = ("The child's safety outweighs the parent's wish; the child's own view was followed.",)
ASSESSMENT_REASONS_COMPETENT_YOUNG = (
    "Mature for their age; explained the sharing back to me in their own words and weighed it up.",
)
ASSESSMENT_REASONS_NOT_COMPETENT = (
    "Very anxious on the day and could not hold a view; to be assessed again.",
    "Could not say what might follow from sharing; changed their mind several times.",
)
REVIEW_COMMENTS = {
    "endorse": ("", "", "Proportionate and well recorded.", "Agreed: the right decision."),
    "return": (
        "Please record whether you took advice before sharing.",
        "What exactly was shared? Please be specific.",
        "Record why the family were not told.",
    ),
    "escalate": (
        "I disagree: the police need the full chronology of concerns.",
        "The share goes beyond what the enquiry needs.",
    ),
    "resolve": (
        "Agreed at the strategy meeting: share as recorded.",
        "Resolved with the designated lead; the decision stands.",
    ),
}
ADDENDA = (
    "Shared only the dates of the two missed appointments.",
    "Advice was taken from the designated lead by phone before sharing.",
    "The family were told by letter the next day.",
    "Correction: the share was by secure email, not by phone.",
)
WITHDRAWAL_NOTES = (
    "Rang to say they no longer want the information shared.",
    "Told the school nurse they had changed their mind.",
)
INCIDENT_SUMMARIES = {
    "complaint": ("A parent complained that a concern was shared without asking them.",),
    "breach_staff": ("A referral was emailed to the wrong team inbox and deleted unread within the hour.",),
    "breach_public": ("A caller reported seeing a printed plan left in a café.",),
    "challenge": ("A school challenged a decision not to share a domestic abuse notification.",),
}
LESSONS = (
    "Check the recipient address against the partnership directory before sending.",
    "Explain to families, where it is safe, what was shared and why; record the reasons.",
)
REPORTERS = ("Parent", "Health visitor", "Member of the public", "Designated safeguarding lead of a school")
