/* SPDX-License-Identifier: Apache-2.0 */
/*
 * samples-data.c -- hand-written tables for `folio samples` (see
 * samples-private.h).  UTF-8 source: names keep their accents.
 */
#include "samples-private.h"

#define N_OF(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ---- names --------------------------------------------------------------- */

static const char *const us_female[] = {
    "Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan",
    "Jessica", "Sarah", "Karen", "Lisa", "Nancy", "Betty", "Sandra", "Margaret",
    "Ashley", "Kimberly", "Emily", "Donna", "Michelle", "Carol", "Amanda",
    "Melissa", "Deborah", "Stephanie", "Rebecca", "Sharon", "Laura", "Cynthia",
    "Dorothy", "Amy", "Kathleen", "Angela", "Shirley", "Emma", "Brenda",
    "Pamela", "Nicole", "Anna", "Samantha", "Katherine", "Christine", "Debra",
    "Rachel", "Carolyn", "Janet", "Maria", "Olivia", "Heather", "Helen",
    "Catherine", "Diane", "Julie", "Victoria", "Joyce", "Lauren", "Kelly",
    "Christina", "Ruth", "Joan", "Virginia", "Judith", "Evelyn", "Hannah",
    "Andrea", "Megan", "Cheryl", "Jacqueline", "Madison", "Teresa", "Abigail",
    "Sophia", "Martha", "Sara", "Gloria", "Janice", "Kathryn", "Ann",
    "Isabella", "Judy", "Charlotte", "Julia", "Grace", "Amber", "Alice", "Jean",
    "Denise", "Frances", "Danielle", "Marilyn", "Natalie", "Beverly", "Diana",
    "Brittany", "Theresa", "Kayla", "Alexis", "Doris", "Lori", "Tiffany",
    "Zoë", "Chloé", "Renée", "Mary Ellen", "Anne-Marie", "Jo Ann",
};
static const char *const us_male[] = {
    "James", "Robert", "John", "Michael", "David", "William", "Richard",
    "Joseph", "Thomas", "Christopher", "Charles", "Daniel", "Matthew",
    "Anthony", "Mark", "Donald", "Steven", "Andrew", "Paul", "Joshua",
    "Kenneth", "Kevin", "Brian", "George", "Timothy", "Ronald", "Jason",
    "Edward", "Jeffrey", "Ryan", "Jacob", "Gary", "Nicholas", "Eric",
    "Jonathan", "Stephen", "Larry", "Justin", "Scott", "Brandon", "Benjamin",
    "Samuel", "Gregory", "Alexander", "Patrick", "Frank", "Raymond", "Jack",
    "Dennis", "Jerry", "Tyler", "Aaron", "Henry", "Adam", "Douglas", "Nathan",
    "Peter", "Zachary", "Kyle", "Noah", "Ethan", "Jeremy", "Walter",
    "Christian", "Keith", "Roger", "Terry", "Austin", "Sean", "Gerald", "Carl",
    "Harold", "Dylan", "Arthur", "Lawrence", "Jordan", "Jesse", "Bryan",
    "Billy", "Bruce", "Gabriel", "Joe", "Logan", "Albert", "Willie", "Alan",
    "Eugene", "Russell", "Vincent", "Philip", "Bobby", "Johnny", "Bradley",
    "Roy", "Ralph", "Louis", "René", "Seán", "John Paul",
};
static const char *const us_last[] = {
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis",
    "Wilson", "Anderson", "Taylor", "Thomas", "Moore", "Jackson", "Martin",
    "Lee", "Thompson", "White", "Harris", "Clark", "Lewis", "Robinson",
    "Walker", "Young", "Allen", "King", "Wright", "Scott", "Hill", "Green",
    "Adams", "Baker", "Nelson", "Carter", "Mitchell", "Roberts", "Turner",
    "Phillips", "Campbell", "Parker", "Evans", "Edwards", "Collins", "Stewart",
    "Morris", "Murphy", "Cook", "Rogers", "Morgan", "Peterson", "Cooper",
    "Reed", "Bailey", "Bell", "Kelly", "Howard", "Ward", "Cox", "Richardson",
    "Wood", "Watson", "Brooks", "Bennett", "Gray", "James", "Hughes", "Price",
    "Sanders", "Myers", "Long", "Ross", "Foster", "Powell", "Jenkins", "Perry",
    "Russell", "Sullivan", "Fisher", "Henderson", "Coleman", "Simmons",
    "Patterson", "Jordan", "Reynolds", "Hamilton", "Graham", "Wallace",
    "Woods", "Cole", "West", "Owens", "Marshall", "Ellis", "McDonald",
    "MacLeod", "Harrison", "Gibson", "Murray", "Ford", "Hayes", "Fitzgerald",
    "Smith-Jones", "St. Pierre", "Van Buren", "O'Brien", "O'Connor",
    "D'Angelo",
};

static const char *const es_female[] = {
    "María", "Sofía", "Lucía", "Valentina", "Camila", "Isabel", "Ana",
    "Carmen", "Rosa", "Guadalupe", "Verónica", "Mónica", "Andrea", "Daniela",
    "Gabriela", "Alejandra", "Inés", "Beatriz", "Ximena", "Paola", "Marisol",
    "Elena", "Adriana", "Leticia", "Yolanda", "Raquel", "Dolores", "Araceli",
    "Pilar", "Itzel", "María José", "Ana Sofía",
};
static const char *const es_male[] = {
    "José", "Juan", "Luis", "Carlos", "Jesús", "Miguel", "Jorge", "Antonio",
    "Francisco", "Alejandro", "Andrés", "Raúl", "Rubén", "Javier", "Fernando",
    "Ricardo", "Eduardo", "Sergio", "Óscar", "Martín", "Ramón", "Héctor",
    "Iván", "Joaquín", "Tomás", "Julián", "Adrián", "Sebastián", "Diego",
    "Emilio", "Juan Carlos", "José Luis",
};
static const char *const es_last[] = {
    "García", "Rodríguez", "Martínez", "Hernández", "López", "González",
    "Pérez", "Sánchez", "Ramírez", "Torres", "Flores", "Rivera", "Gómez",
    "Díaz", "Reyes", "Cruz", "Morales", "Ortiz", "Gutiérrez", "Chávez",
    "Ramos", "Ruiz", "Álvarez", "Mendoza", "Castillo", "Jiménez", "Vásquez",
    "Moreno", "Romero", "Herrera", "Medina", "Aguilar", "Vargas", "Castro",
    "Fernández", "Muñoz", "Domínguez", "Núñez", "Ibáñez", "Peña",
    "de la Cruz", "Del Río", "García López", "Sánchez-Ruiz",
};

static const char *const pl_female[] = {
    "Małgorzata", "Agnieszka", "Zofia", "Katarzyna", "Joanna", "Ewa", "Magdalena",
};
static const char *const pl_male[] = {
    "Łukasz", "Krzysztof", "Paweł", "Piotr", "Tomasz", "Michał", "Wojciech",
};
static const char *const pl_last[] = {
    "Kowalski", "Wiśniewski", "Wójcik", "Nowak", "Lewandowski", "Dąbrowski",
    "Kamiński", "Zieliński", "Szymański", "Woźniak",
};

static const char *const de_female[] = {
    "Anke", "Käthe", "Hannelore", "Ursula", "Sabine", "Gisela", "Birgit", "Jördis",
};
static const char *const de_male[] = {
    "Jürgen", "Günter", "Jörg", "Björn", "Klaus", "Dieter", "Uwe", "Matthäus",
};
static const char *const de_last[] = {
    "Müller", "Schäfer", "Schröder", "Bäcker", "Köhler", "Weiß", "Groß",
    "Fuchs", "Krüger", "Hoffmann", "Schmidt", "Neumann", "Möller",
};

static const char *const fr_female[] = {
    "Françoise", "Hélène", "Céline", "Amélie", "Aurélie", "Geneviève", "Élise",
    "Noémie", "Maëlle",
};
static const char *const fr_male[] = {
    "François", "Jérôme", "Noël", "Stéphane", "Benoît", "Gaëtan", "Rémi",
    "Jean-Luc", "Émile",
};
static const char *const fr_last[] = {
    "Lefèvre", "Girard", "Bérubé", "Lévesque", "Côté", "Gagné", "Thériault",
    "Dubé", "Leclerc", "Fournier", "Moreau", "Ménard",
};

static const char *const nordic_female[] = {
    "Åsa", "Sigrún", "Märta", "Ingrid", "Solveig", "Astrid", "Bodil",
};
static const char *const nordic_male[] = {
    "Søren", "Jørgen", "Bjørn", "Lars", "Anders", "Håkan", "Ólafur",
};
static const char *const nordic_last[] = {
    "Ørsted", "Sørensen", "Jørgensen", "Åberg", "Lindström", "Ekström",
    "Björk", "Nyström", "Strøm", "Halvorsen",
};

static const char *const vi_female[] = {
    "Thảo", "Phương", "Ngọc", "Linh", "Hương", "Trang", "Mai",
};
static const char *const vi_male[] = {
    "Minh", "Huy", "Tuấn", "Đức", "Quang", "Dũng", "Hải",
};
static const char *const vi_last[] = {
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Võ", "Đặng", "Bùi", "Đỗ",
};

static const char *const ga_female[] = {
    "Siobhán", "Niamh", "Aoife", "Caoimhe", "Gianna", "Francesca", "Chiara",
};
static const char *const ga_male[] = {
    "Seán", "Ciarán", "Pádraig", "Liam", "Giuseppe", "Nicolò", "Salvatore",
};
static const char *const ga_last[] = {
    "O'Brien", "O'Connor", "O'Neill", "O'Sullivan", "D'Angelo", "D'Amico",
    "DeLuca", "Russo", "Esposito", "Ricci", "Ó Briain", "Mac Giolla",
};

static const char *const other_female[] = {
    "Ayşe", "Zoë", "Chloë", "Conceição", "Priya", "Ananya", "Deepa", "Mei",
    "Xin", "Seo-yeon", "Jana", "Zsófia",
};
static const char *const other_male[] = {
    "Mehmet", "João", "Rahul", "Arjun", "Wei", "Jun", "Min-jun", "Jiří",
    "Dávid", "Tomáš", "Ömer",
};
static const char *const other_last[] = {
    "Özdemir", "Yılmaz", "Çelik", "Şahin", "Dvořák", "Novák", "Černý",
    "Procházka", "Szabó", "Tóth", "Kovács", "Gonçalves", "Simões",
    "Magalhães", "Patel", "Sharma", "Singh", "Gupta", "Reddy", "Iyer", "Chen",
    "Wang", "Zhang", "Liu", "Kim", "Park", "Choi",
};

#define GROUP(f, m, l, w) { f, N_OF(f), m, N_OF(m), l, N_OF(l), w }

const samples_name_group samples_name_groups[] = {
    GROUP(us_female, us_male, us_last, 700),
    GROUP(es_female, es_male, es_last, 60),
    GROUP(pl_female, pl_male, pl_last, 30),
    GROUP(de_female, de_male, de_last, 35),
    GROUP(fr_female, fr_male, fr_last, 35),
    GROUP(nordic_female, nordic_male, nordic_last, 20),
    GROUP(vi_female, vi_male, vi_last, 35),
    GROUP(ga_female, ga_male, ga_last, 45),
    GROUP(other_female, other_male, other_last, 40),
};
const int samples_n_name_groups = N_OF(samples_name_groups);
const samples_name_group samples_hispanic_names = GROUP(es_female, es_male, es_last, 0);

/* ---- addresses ----------------------------------------------------------- */

const samples_city samples_us_cities[] = {
    {"Portland", "ME", "04101"}, {"Portland", "ME", "04102"},
    {"Portland", "ME", "04103"}, {"South Portland", "ME", "04106"},
    {"Bangor", "ME", "04401"}, {"Lewiston", "ME", "04240"},
    {"Augusta", "ME", "04330"}, {"Burlington", "VT", "05401"},
    {"Montpelier", "VT", "05602"}, {"Portsmouth", "NH", "03801"},
    {"Manchester", "NH", "03101"}, {"Nashua", "NH", "03060"},
    {"Boston", "MA", "02108"}, {"Boston", "MA", "02116"},
    {"Jamaica Plain", "MA", "02130"}, {"Cambridge", "MA", "02139"},
    {"Worcester", "MA", "01608"}, {"Springfield", "MA", "01103"},
    {"Providence", "RI", "02903"}, {"Hartford", "CT", "06103"},
    {"New Haven", "CT", "06511"}, {"Stamford", "CT", "06901"},
    {"New York", "NY", "10001"}, {"New York", "NY", "10025"},
    {"New York", "NY", "10128"}, {"Brooklyn", "NY", "11215"},
    {"Brooklyn", "NY", "11211"}, {"Bronx", "NY", "10451"},
    {"Flushing", "NY", "11354"}, {"Buffalo", "NY", "14201"},
    {"Rochester", "NY", "14604"}, {"Albany", "NY", "12207"},
    {"Syracuse", "NY", "13202"}, {"Newark", "NJ", "07102"},
    {"Jersey City", "NJ", "07302"}, {"Philadelphia", "PA", "19103"},
    {"Philadelphia", "PA", "19147"}, {"Pittsburgh", "PA", "15222"},
    {"Baltimore", "MD", "21201"}, {"Washington", "DC", "20001"},
    {"Arlington", "VA", "22201"}, {"Richmond", "VA", "23219"},
    {"Raleigh", "NC", "27601"}, {"Charlotte", "NC", "28202"},
    {"Atlanta", "GA", "30303"}, {"Savannah", "GA", "31401"},
    {"Charleston", "SC", "29401"}, {"Wilmington", "DE", "19801"},
    {"Miami", "FL", "33130"}, {"Orlando", "FL", "32801"},
    {"Tampa", "FL", "33602"}, {"Jacksonville", "FL", "32202"},
    {"Nashville", "TN", "37203"}, {"Memphis", "TN", "38103"},
    {"Louisville", "KY", "40202"}, {"Birmingham", "AL", "35203"},
    {"Little Rock", "AR", "72201"}, {"New Orleans", "LA", "70112"},
    {"Chicago", "IL", "60601"}, {"Chicago", "IL", "60614"},
    {"Chicago", "IL", "60647"}, {"Detroit", "MI", "48226"},
    {"Columbus", "OH", "43215"}, {"Cleveland", "OH", "44113"},
    {"Indianapolis", "IN", "46204"}, {"Milwaukee", "WI", "53202"},
    {"Madison", "WI", "53703"}, {"Minneapolis", "MN", "55401"},
    {"St. Louis", "MO", "63101"}, {"Kansas City", "MO", "64105"},
    {"Omaha", "NE", "68102"}, {"Des Moines", "IA", "50309"},
    {"Fargo", "ND", "58102"}, {"Sioux Falls", "SD", "57104"},
    {"Oklahoma City", "OK", "73102"}, {"Denver", "CO", "80202"},
    {"Boulder", "CO", "80302"}, {"Billings", "MT", "59101"},
    {"Cheyenne", "WY", "82001"}, {"Salt Lake City", "UT", "84101"},
    {"Provo", "UT", "84601"}, {"Phoenix", "AZ", "85004"},
    {"Tucson", "AZ", "85701"}, {"Albuquerque", "NM", "87102"},
    {"Santa Fe", "NM", "87501"}, {"Las Vegas", "NV", "89101"},
    {"Reno", "NV", "89501"}, {"Los Angeles", "CA", "90012"},
    {"Los Angeles", "CA", "90026"}, {"San Diego", "CA", "92101"},
    {"San Jose", "CA", "95113"}, {"San Francisco", "CA", "94103"},
    {"San Francisco", "CA", "94110"}, {"Oakland", "CA", "94612"},
    {"Sacramento", "CA", "95814"}, {"Fresno", "CA", "93721"},
    {"Portland", "OR", "97201"}, {"Portland", "OR", "97209"},
    {"Portland", "OR", "97214"}, {"Eugene", "OR", "97401"},
    {"Salem", "OR", "97301"}, {"Bend", "OR", "97701"},
    {"Seattle", "WA", "98101"}, {"Seattle", "WA", "98103"},
    {"Seattle", "WA", "98122"}, {"Tacoma", "WA", "98402"},
    {"Spokane", "WA", "99201"}, {"Olympia", "WA", "98501"},
    {"Bellingham", "WA", "98225"}, {"Boise", "ID", "83702"},
    {"Anchorage", "AK", "99501"}, {"Honolulu", "HI", "96813"},
    {"Houston", "TX", "77002"}, {"Houston", "TX", "77006"},
    {"Dallas", "TX", "75201"}, {"Austin", "TX", "78701"},
    {"Austin", "TX", "78704"}, {"San Antonio", "TX", "78205"},
    {"El Paso", "TX", "79901"}, {"Laredo", "TX", "78040"},
    {"McAllen", "TX", "78501"}, {"Brownsville", "TX", "78520"},
    {"Fort Worth", "TX", "76102"},
};
const int samples_n_us_cities = N_OF(samples_us_cities);

const char *const samples_streets[] = {
    "Main", "Oak", "Maple", "Cedar", "Pine", "Elm", "Washington", "Lincoln",
    "Jefferson", "Madison", "Park", "Lake", "Hill", "Church", "High", "Center",
    "Union", "Water", "Spring", "Ridge", "Highland", "Sunset", "Lakeview",
    "Meadow", "Forest", "River", "Harbor", "Bay", "Ocean", "Commercial",
    "Congress", "Fore", "Exchange", "Market", "Franklin", "Adams", "Jackson",
    "Monroe", "Grant", "Chestnut", "Walnut", "Spruce", "Birch", "Willow",
    "Magnolia", "Dogwood", "Hawthorne", "Juniper", "Laurel", "Aspen",
    "Sycamore", "Hickory", "Poplar", "Cherry", "Orchard", "Garden", "Prospect",
    "Pleasant", "Summit", "Valley", "Brook", "Mill", "School", "North",
    "South", "East", "West", "1st", "2nd", "3rd", "4th", "5th", "12th", "23rd",
    "Front", "King", "Queen", "Liberty", "Independence", "Hampton",
    "Winthrop", "Beacon", "Commonwealth", "Tremont", "Elmwood", "Brentwood",
    "Fairview", "Glenwood", "Greenwood", "Kingston", "Lexington", "Concord",
    "Salem", "Dover", "Newbury", "Belmont", "Columbia", "Wilson", "Roosevelt",
    "Kennedy", "Martin Luther King Jr", "César Chávez", "Alameda",
    "Camino Real", "Vista", "Mesa", "Sierra", "Saguaro", "Mesquite",
    "Cottonwood", "Bluebonnet", "Peachtree", "Palmetto", "Coral", "Palm",
    "Olive", "Vineyard", "Canyon", "Timberline", "Cascade", "Rainier",
    "Alder", "Hemlock", "Cedar Hill", "Old Mill", "Deer Run", "Fox Hollow",
};
const int samples_n_streets = N_OF(samples_streets);

const char *const samples_street_types[] = {
    "Street", "Avenue", "Road", "Drive", "Lane", "Court", "Boulevard", "Way",
    "Place", "Terrace", "Circle", "Parkway",
};
const int samples_n_street_types = N_OF(samples_street_types);

const samples_foreign samples_foreign_addrs[] = {
    {"CA", "Toronto", "ON", "M5V 2T6", "King Street West", 1, 0},
    {"CA", "Vancouver", "BC", "V6B 1A1", "Granville Street", 1, 0},
    {"CA", "Montréal", "QC", "H2X 1Y4", "rue Sainte-Catherine Ouest", 1, 0},
    {"CA", "Québec", "QC", "G1R 4P5", "rue Saint-Jean", 1, 0},
    {"CA", "Calgary", "AB", "T2P 1J9", "Stephen Avenue SW", 1, 0},
    {"GB", "London", "", "EC1A 1BB", "St John Street", 1, 0},
    {"GB", "Manchester", "", "M1 1AE", "Piccadilly", 1, 0},
    {"GB", "Edinburgh", "", "EH1 1YZ", "Princes Street", 1, 0},
    {"GB", "Bristol", "", "BS1 4DJ", "Queen Square", 1, 0},
    {"DE", "Berlin", "", "10115", "Invalidenstraße", 0, 0},
    {"DE", "München", "", "80331", "Sendlinger Straße", 0, 0},
    {"DE", "Köln", "", "50667", "Hohe Straße", 0, 0},
    {"DE", "Hamburg", "", "20095", "Mönckebergstraße", 0, 0},
    {"MX", "Ciudad de México", "CDMX", "06600", "Av. Paseo de la Reforma", 0, 1},
    {"MX", "Guadalajara", "JAL", "44100", "Av. Juárez", 0, 1},
    {"MX", "Monterrey", "NL", "64000", "Calle Morelos Ote.", 0, 1},
    {"MX", "Mérida", "YUC", "97000", "Calle 60", 0, 1},
};
const int samples_n_foreign_addrs = N_OF(samples_foreign_addrs);

/* ---- merchants ------------------------------------------------------------ */

const samples_merchant samples_local_merchants[] = {
    {"WHOLE FOODS", 1200, 24000, 1}, {"TRADER JOE'S", 900, 16000, 1},
    {"KROGER", 1500, 21000, 1}, {"SAFEWAY", 1100, 19000, 1},
    {"HANNAFORD", 1000, 18000, 1}, {"SHAW'S", 900, 15000, 1},
    {"PUBLIX", 1200, 20000, 1}, {"H-E-B", 1200, 22000, 1},
    {"TARGET", 800, 25000, 1}, {"WALMART SUPERCENTER", 700, 26000, 1},
    {"CVS/PHARMACY", 300, 6000, 1}, {"WALGREENS", 300, 5500, 1},
    {"THE HOME DEPOT", 900, 45000, 1}, {"LOWE'S", 900, 38000, 1},
    {"STARBUCKS", 350, 1800, 1}, {"DUNKIN", 250, 1500, 1},
    {"MCDONALD'S", 400, 2500, 1}, {"CHIPOTLE", 900, 3500, 1},
    {"SHELL OIL", 2000, 8500, 1}, {"EXXONMOBIL", 2000, 8000, 1},
    {"CHEVRON", 2200, 9000, 1}, {"COSTCO WHSE", 3000, 42000, 1},
    {"BEST BUY", 1500, 90000, 1}, {"PETSMART", 1200, 12000, 1},
    {"STAPLES", 500, 9000, 1}, {"ACE HARDWARE", 400, 8000, 1},
    {"TJ MAXX", 1500, 15000, 1}, {"OLD NAVY", 1200, 12000, 1},
    {"BARNES & NOBLE", 800, 9000, 1}, {"PANERA BREAD", 700, 4000, 1},
    {"SUBWAY", 600, 2500, 1}, {"DOLLAR TREE", 125, 3000, 1},
    {"ALDI", 1000, 14000, 1}, {"RITE AID", 300, 4500, 1},
    {"AUTOZONE", 800, 25000, 1}, {"GREAT CLIPS", 1800, 4500, 0},
    {"REI", 2000, 30000, 1}, {"OLIVE GARDEN", 2500, 11000, 0},
    {"LOCAL DINER", 1100, 6000, 0}, {"FARMERS MARKET", 500, 6000, 0},
};
const int samples_n_local_merchants = N_OF(samples_local_merchants);

const samples_merchant samples_online_merchants[] = {
    {"AMAZON.COM*% SEATTLE WA", 600, 25000, 0},
    {"AMZN MKTP US*% SEATTLE WA", 500, 15000, 0},
    {"NETFLIX.COM LOS GATOS CA", 1549, 2299, 2},
    {"SPOTIFY USA NEW YORK NY", 1199, 1699, 2},
    {"APPLE.COM/BILL CUPERTINO CA", 99, 2999, 0},
    {"UBER *TRIP HELP.UBER.COM CA", 800, 6500, 0},
    {"LYFT *RIDE SAN FRANCISCO CA", 700, 5500, 0},
    {"DOORDASH*% SAN FRANCISCO CA", 1500, 7000, 0},
    {"ETSY.COM BROOKLYN NY", 900, 9000, 0},
    {"EBAY O*% SAN JOSE CA", 1000, 20000, 0},
    {"GOOGLE *YOUTUBEPREMIUM G.CO/HELPPAY#", 1399, 2299, 2},
    {"STEAMGAMES.COM BELLEVUE WA", 499, 6999, 0},
    {"CHEWY.COM DANIA BEACH FL", 2500, 15000, 0},
    {"INSTACART*% SAN FRANCISCO CA", 3500, 22000, 0},
};
const int samples_n_online_merchants = N_OF(samples_online_merchants);

const samples_merchant samples_billers[] = {
    {"VERIZON WIRELESS PAYMENTS", 4500, 24000, 0},
    {"COMCAST CABLE COMM", 6000, 21000, 0},
    {"GEICO AUTO PAY", 7000, 26000, 0},
    {"STATE FARM RO 27 SFPP", 6500, 31000, 0},
    {"PROGRESSIVE INS PREM", 6000, 28000, 0},
    {"NATIONAL GRID UTILITY", 4000, 26000, 0},
    {"CITY WATER DEPT UTIL PYMT", 2500, 12000, 0},
    {"T-MOBILE PCS SVC", 4000, 19000, 0},
    {"PLANET FITNESS CLUB FEES", 1000, 2499, 2},
    {"NAVIENT STUDENT LOAN", 15000, 60000, 0},
    {"TOYOTA MOTOR CR AUTOPAY", 28000, 72000, 0},
    {"HONDA FINANCIAL PMT", 25000, 65000, 0},
    {"NORTHEAST GAS CO BILLPAY", 3000, 18000, 0},
    {"MAPLE RIDGE APTS RENT", 95000, 280000, 0},
};
const int samples_n_billers = N_OF(samples_billers);

const samples_merchant samples_foreign_merchants[] = {
    {"COMPRA EN TIENDA EL CORTE INGLES MADRID", 1500, 40000, 0},
    {"COMPRA EN TIENDA ZARA BARCELONA", 2500, 18000, 0},
    {"CARD PURCHASE MONOPRIX PARIS FR", 600, 9000, 0},
    {"CARD PURCHASE TESCO STORES LONDON GB", 500, 12000, 0},
    {"KARTENZAHLUNG REWE MARKT BERLIN DE", 700, 9000, 0},
    {"COMPRA OXXO CIUDAD DE MEXICO MX", 200, 3000, 0},
    {"CARD PURCHASE TIM HORTONS TORONTO ON", 300, 2500, 0},
    {"COMPRA EN TIENDA MERCADONA VALENCIA", 1200, 14000, 0},
};
const int samples_n_foreign_merchants = N_OF(samples_foreign_merchants);

const char *const samples_employers[] = {
    "ACME CORP", "HARBOR HEALTH SYSTEM", "NORTHWIND TRADERS", "CONTOSO LTD",
    "GLOBEX CORP", "INITECH INC", "UMBRELLA LOGISTICS", "PINE STATE SCHOOLS",
    "CASCADE ENGINEERING", "BLUE RIVER FOODS", "SUMMIT MEDICAL GROUP",
    "LIGHTHOUSE SOFTWARE", "COASTAL FREIGHT LLC", "MERIDIAN INSURANCE",
    "GRANITE CONSTRUCTION CO", "CITY OF SPRINGVALE", "STATE UNIVERSITY",
    "REDWOOD RETAIL GROUP", "TRI-COUNTY TRANSIT", "OAKHURST MANUFACTURING",
};
const int samples_n_employers = N_OF(samples_employers);

const char *const samples_email_domains[] = {
    "example.com", "example.net", "example.org", "mail.example",
    "inbox.example", "post.example",
};
const int samples_n_email_domains = N_OF(samples_email_domains);
