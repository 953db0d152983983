//! The report's words in English, French and Arabic, and numbers written
//! each language's way.
//!
//! Every label is a [`Key`]; its three texts come from one `match`, so a
//! label without a translation does not compile. Texts may hold numbered
//! places `{0}`, `{1}`… filled by [`Lang::fill`].
//! Numbers are written per language in [`super::numbers`].

use std::str::FromStr;

/// A report language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// English.
    En,
    /// French.
    Fr,
    /// Arabic (right to left).
    Ar,
}

impl Lang {
    /// Every language, in the order of the command line's help.
    pub const ALL: [Lang; 3] = [Lang::En, Lang::Fr, Lang::Ar];

    /// The language's code (`en`, `fr`, `ar`).
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
            Lang::Ar => "ar",
        }
    }

    /// Text direction: `rtl` for Arabic, else `ltr`.
    pub fn dir(self) -> &'static str {
        match self {
            Lang::Ar => "rtl",
            _ => "ltr",
        }
    }

    /// The label `k` in this language.
    pub fn t(self, k: Key) -> &'static str {
        let [en, fr, ar] = k.texts();
        match self {
            Lang::En => en,
            Lang::Fr => fr,
            Lang::Ar => ar,
        }
    }

    /// The label `k` with `{0}`, `{1}`… replaced by `args`.
    pub fn fill(self, k: Key, args: &[&str]) -> String {
        let mut s = self.t(k).to_string();
        for (i, a) in args.iter().enumerate() {
            s = s.replace(&format!("{{{i}}}"), a);
        }
        s
    }
}

impl FromStr for Lang {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "en" => Ok(Lang::En),
            "fr" => Ok(Lang::Fr),
            "ar" => Ok(Lang::Ar),
            _ => Err(format!("{s}: expected `en`, `fr` or `ar`")),
        }
    }
}

/// A label of the report.
#[allow(missing_docs)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Title,
    Subtitle,
    Summary,
    Contents,
    MapTitle,
    MapNote,
    MapCapped,
    LegendZones,
    LegendZoneRank,
    LegendPriority,
    LegendSettlements,
    LegendSettlementSize,
    LegendFacilities,
    NoPoints,
    ClickZone,
    RankingTitle,
    RankingNote,
    Rank,
    Zone,
    People,
    Composite,
    Burden,
    Severity,
    RankBurden,
    RankSeverity,
    Reason,
    Priority,
    Yes,
    ServicesTitle,
    BeyondSentence,
    NoFacilitySentence,
    AccessCurve,
    AccessCurveNote,
    ShareOfPeople,
    TimeAxis,
    DistanceAxis,
    Threshold,
    ByZone,
    Median,
    Quartiles,
    BeyondThreshold,
    CoverageTitle,
    FacilitiesPer10k,
    Service,
    Facilities,
    Per10k,
    PointsLocated,
    NotLocated,
    ZonesWithout,
    NoneFound,
    WarningsTitle,
    NoWarnings,
    WarningCount,
    MessagesInEnglish,
    MethodTitle,
    TravelMode,
    StraightLine,
    RoadNetwork,
    ThresholdSentence,
    ByProfile,
    StraightLineService,
    Circuity,
    MaxSnap,
    MaxDirect,
    NoRoadSpeed,
    OffroadSpeed,
    PopulationMode,
    PriorityFraction,
    ReasonMinShare,
    H3Resolution,
    ZoneSource,
    CompositeMax,
    CompositeMethod,
    RankBy,
    InputsTitle,
    AssumptionsTitle,
    CommandTitle,
    Version,
    NoZones,
    ScenariosTitle,
    ScenariosNote,
    Scenario,
    Baseline,
    Change,
    ZoneChanges,
    RankChange,
    NoZoneChange,
    Minutes,
    Metres,
    Kilometres,
    ClassHighlyAccessible,
    ClassAccessible,
    ClassModerate,
    ClassRemote,
    ClassVeryRemote,
    Health,
    School,
    Water,
    Power,
    Footer,
    ReasonItem,
    LargestComponent,
    AllSettings,
    Speeds,
    PeopleLabel,
    PrintNote,
    KeyFigure,
    WarnCensusExceeded,
    WarnCensusNoSettlement,
    WarnCensusUnmatched,
    WarnInvalidCoordinates,
    WarnInvalidGeometry,
    WarnNoFacility,
    WarnOffNetwork,
    WarnMissingId,
    WarnDuplicateFacility,
}

impl Key {
    /// English, French and Arabic.
    fn texts(self) -> [&'static str; 3] {
        use Key::*;
        match self {
            Title => ["Remoteness report", "Rapport sur l’enclavement", "تقرير العزلة"],
            Subtitle => [
                "Settlements cut off from services, and the zones to act on first",
                "Localités éloignées des services, et zones où agir en priorité",
                "التجمعات السكنية البعيدة عن الخدمات، والمناطق ذات الأولوية في التدخل",
            ],
            Summary => [
                "{0} settlements, {1} people, {2} zones, of which {3} are priority zones.",
                "{0} localités, {1} habitants, {2} zones, dont {3} zones prioritaires.",
                "{0} تجمعًا سكنيًا، {1} نسمة، {2} منطقة، منها {3} مناطق ذات أولوية.",
            ],
            Contents => ["Contents", "Sommaire", "المحتويات"],
            MapTitle => ["Map", "Carte", "الخريطة"],
            MapNote => [
                "Zone outlines simplified for display (Douglas–Peucker, tolerance {0}°). Point to or click a zone for its figures.",
                "Contours des zones simplifiés pour l’affichage (Douglas–Peucker, tolérance {0}°). Survolez ou cliquez une zone pour ses chiffres.",
                "حدود المناطق مبسّطة للعرض (دوغلاس–بوكر، تسامح {0}°). مرّر المؤشر على منطقة أو انقر عليها لعرض أرقامها.",
            ],
            MapCapped => [
                "The map draws the {0} most populous of the {1} settlements; the tables and charts count them all.",
                "La carte montre les {0} localités les plus peuplées sur {1} ; les tableaux et graphiques les comptent toutes.",
                "تعرض الخريطة أكثر {0} تجمعًا سكنيًا من حيث السكان من أصل {1}؛ وتحتسبها الجداول والرسوم كلها.",
            ],
            LegendZones => ["Zones", "Zones", "المناطق"],
            LegendZoneRank => [
                "Colour: rank by burden (darkest = rank 1, most burdened)",
                "Couleur : rang selon la charge (le plus foncé = rang 1, la plus lourde)",
                "اللون: الترتيب حسب العبء (الأغمق = الرتبة 1، الأكثر عبئًا)",
            ],
            LegendPriority => [
                "Heavy outline: priority zone",
                "Contour épais : zone prioritaire",
                "إطار سميك: منطقة ذات أولوية",
            ],
            LegendSettlements => [
                "Settlements: isolation class",
                "Localités : classe d’isolement",
                "التجمعات السكنية: فئة العزلة",
            ],
            LegendSettlementSize => [
                "Circle area proportional to population",
                "Surface du cercle proportionnelle à la population",
                "مساحة الدائرة متناسبة مع عدد السكان",
            ],
            LegendFacilities => ["Facilities", "Équipements", "المرافق"],
            NoPoints => [
                "no locations in facilities.geojson",
                "pas d’emplacements dans facilities.geojson",
                "لا مواقع في facilities.geojson",
            ],
            ClickZone => [
                "Point to or click a zone on the map.",
                "Survolez ou cliquez une zone sur la carte.",
                "مرّر المؤشر على منطقة في الخريطة أو انقر عليها.",
            ],
            RankingTitle => ["Zones ranked by burden", "Classement des zones par charge", "ترتيب المناطق حسب العبء"],
            RankingNote => [
                "Burden = people × mean composite score: it puts large towns first. Severity = share of people beyond the threshold, averaged over the services: it puts first the zones whose people are most cut off, however small. Both ranks are shown; priority zones are marked ★.",
                "Charge = habitants × score composite moyen : elle place les grandes villes en tête. Gravité = part des habitants au-delà du seuil, en moyenne sur les services : elle place en tête les zones dont les habitants sont les plus isolés, même petites. Les deux rangs sont donnés ; les zones prioritaires sont marquées ★.",
                "العبء = عدد السكان × متوسط المؤشر المركّب: يضع المدن الكبيرة أولاً. الحدّة = نسبة السكان خارج العتبة، في المتوسط على الخدمات: تضع أولاً المناطق الأكثر عزلة مهما صغرت. يُعرض الترتيبان؛ المناطق ذات الأولوية معلَّمة بـ ★.",
            ],
            Rank => ["Rank", "Rang", "الرتبة"],
            Zone => ["Zone", "Zone", "المنطقة"],
            People => ["People", "Habitants", "السكان"],
            Composite => ["Composite score", "Score composite", "المؤشر المركّب"],
            Burden => ["Burden", "Charge", "العبء"],
            Severity => ["Severity", "Gravité", "الحدّة"],
            RankBurden => ["Rank by burden", "Rang par charge", "الترتيب حسب العبء"],
            RankSeverity => ["Rank by severity", "Rang par gravité", "الترتيب حسب الحدّة"],
            Reason => ["Why", "Motif", "السبب"],
            Priority => ["Priority", "Prioritaire", "أولوية"],
            Yes => ["yes", "oui", "نعم"],
            ServicesTitle => ["Access by service", "Accès par service", "الوصول حسب الخدمة"],
            BeyondSentence => [
                "{0} people ({1}) live beyond {2} of the nearest facility.",
                "{0} habitants ({1}) vivent à plus de {2} de l’équipement le plus proche.",
                "يعيش {0} نسمة ({1}) على بعد أكثر من {2} من أقرب مرفق.",
            ],
            NoFacilitySentence => [
                "No facility of this service in the data: everyone counts as beyond the threshold.",
                "Aucun équipement de ce service dans les données : tous comptent au-delà du seuil.",
                "لا يوجد أي مرفق لهذه الخدمة في البيانات: يُحسب الجميع خارج العتبة.",
            ],
            AccessCurve => ["Access curve", "Courbe d’accès", "منحنى الوصول"],
            AccessCurveNote => [
                "Share of people whose nearest facility is within the value on the horizontal axis.",
                "Part des habitants dont l’équipement le plus proche est à moins de la valeur en abscisse.",
                "نسبة السكان الذين يقع أقرب مرفق لهم ضمن القيمة على المحور الأفقي.",
            ],
            ShareOfPeople => ["Share of people", "Part des habitants", "نسبة السكان"],
            TimeAxis => ["Travel time (min)", "Temps de trajet (min)", "مدة التنقل (دقيقة)"],
            DistanceAxis => ["Distance (km)", "Distance (km)", "المسافة (كم)"],
            Threshold => ["threshold", "seuil", "العتبة"],
            ByZone => [
                "Distribution by zone (population-weighted)",
                "Répartition par zone (pondérée par la population)",
                "التوزيع حسب المنطقة (مرجّح بعدد السكان)",
            ],
            Median => ["Median", "Médiane", "الوسيط"],
            Quartiles => ["25 %–75 % of people", "25 %–75 % des habitants", "25%–75% من السكان"],
            BeyondThreshold => ["Beyond threshold", "Au-delà du seuil", "خارج العتبة"],
            CoverageTitle => ["Data coverage", "Couverture des données", "تغطية البيانات"],
            FacilitiesPer10k => [
                "Facilities per 10,000 people",
                "Équipements pour 10 000 habitants",
                "المرافق لكل 10,000 نسمة",
            ],
            Service => ["Service", "Service", "الخدمة"],
            Facilities => ["Facilities", "Équipements", "المرافق"],
            Per10k => ["per 10,000 people", "pour 10 000 habitants", "لكل 10,000 نسمة"],
            PointsLocated => [
                "Per zone: facilities located inside each zone (facilities.geojson).",
                "Par zone : équipements situés dans chaque zone (facilities.geojson).",
                "حسب المنطقة: المرافق الواقعة داخل كل منطقة (facilities.geojson).",
            ],
            NotLocated => [
                "{0}: facility locations are not in the outputs, so they are not counted by zone.",
                "{0} : les emplacements des équipements ne figurent pas dans les sorties ; pas de décompte par zone.",
                "{0}: مواقع المرافق غير موجودة في المخرجات، فلا تُحسب حسب المنطقة.",
            ],
            ZonesWithout => [
                "Zones with people and no facility",
                "Zones habitées sans équipement",
                "مناطق مأهولة بلا مرفق",
            ],
            NoneFound => ["none", "aucune", "لا شيء"],
            WarningsTitle => ["Warnings of the run", "Avertissements du calcul", "تنبيهات التشغيل"],
            NoWarnings => [
                "The run recorded no warning.",
                "Le calcul n’a enregistré aucun avertissement.",
                "لم يسجّل التشغيل أي تنبيه.",
            ],
            WarningCount => ["{0} × {1}", "{0} × {1}", "{0} × {1}"],
            MessagesInEnglish => [
                "Examples, as recorded in run.json:",
                "Exemples, tels qu’enregistrés dans run.json (en anglais) :",
                "أمثلة كما سُجّلت في run.json (بالإنجليزية):",
            ],
            MethodTitle => ["Method and assumptions", "Méthode et hypothèses", "المنهجية والافتراضات"],
            TravelMode => ["Travel mode", "Mode de déplacement", "نمط التنقل"],
            StraightLine => [
                "straight line × circuity (no road layer)",
                "ligne droite × coefficient de détour (pas de couche routière)",
                "خط مستقيم × معامل الالتفاف (بدون طبقة طرق)",
            ],
            RoadNetwork => ["road network", "réseau routier", "شبكة الطرق"],
            ThresholdSentence => [
                "{0}: threshold {1}, {2}.",
                "{0} : seuil {1}, {2}.",
                "{0}: العتبة {1}، {2}.",
            ],
            ByProfile => ["travel profile “{0}”", "profil de déplacement « {0} »", "نمط التنقل «{0}»"],
            StraightLineService => [
                "great-circle distance to the nearest facility (no route)",
                "distance orthodromique à l’équipement le plus proche (sans itinéraire)",
                "المسافة الجوية إلى أقرب مرفق (بدون مسار)",
            ],
            Circuity => [
                "Circuity (detour factor on straight lines)",
                "Coefficient de détour (sur les lignes droites)",
                "معامل الالتفاف (على الخطوط المستقيمة)",
            ],
            MaxSnap => [
                "Largest distance from a place to a road",
                "Distance maximale d’un lieu à une route",
                "أقصى مسافة بين موقع وطريق",
            ],
            MaxDirect => [
                "Longest direct off-road trip",
                "Plus long trajet direct hors route",
                "أطول رحلة مباشرة خارج الطرق",
            ],
            NoRoadSpeed => [
                "Speed without roads, profile “{0}”",
                "Vitesse sans route, profil « {0} »",
                "السرعة بدون طرق، نمط «{0}»",
            ],
            OffroadSpeed => [
                "Off-road speed, profile “{0}”",
                "Vitesse hors route, profil « {0} »",
                "السرعة خارج الطرق، نمط «{0}»",
            ],
            PopulationMode => ["Population rule", "Règle de population", "قاعدة السكان"],
            PriorityFraction => [
                "Share of occupied zones marked priority",
                "Part des zones habitées marquées prioritaires",
                "نسبة المناطق المأهولة المصنّفة ذات أولوية",
            ],
            ReasonMinShare => [
                "Share beyond threshold for a service to be named as a reason",
                "Part au-delà du seuil pour qu’un service soit cité comme motif",
                "النسبة خارج العتبة لذكر الخدمة سببًا",
            ],
            H3Resolution => [
                "H3 resolution (zones when no zone layer)",
                "Résolution H3 (zones en l’absence de couche de zones)",
                "دقة H3 (المناطق عند غياب طبقة المناطق)",
            ],
            ZoneSource => ["Zones from", "Origine des zones", "مصدر المناطق"],
            CompositeMax => [
                "Largest possible composite score",
                "Score composite maximal possible",
                "أعلى قيمة ممكنة للمؤشر المركّب",
            ],
            CompositeMethod => [
                "Composite score: for each service, the settlement’s value divided by the mean over settlements, capped at 3, summed over services; higher is more isolated.",
                "Score composite : pour chaque service, la valeur de la localité divisée par la moyenne des localités, plafonnée à 3, additionnée sur les services ; plus il est élevé, plus la localité est isolée.",
                "المؤشر المركّب: لكل خدمة، قيمة التجمع مقسومة على المتوسط، بحد أقصى 3، مجموعة على الخدمات؛ كلما ارتفع زادت العزلة.",
            ],
            RankBy => ["Catchment ranking by", "Classement des aires d’attraction selon", "ترتيب مناطق الجذب حسب"],
            InputsTitle => ["Input files", "Fichiers d’entrée", "ملفات الإدخال"],
            AssumptionsTitle => [
                "Assumptions recorded by the run",
                "Hypothèses enregistrées par le calcul (en anglais)",
                "الافتراضات المسجّلة في التشغيل (بالإنجليزية)",
            ],
            CommandTitle => ["Command", "Commande", "الأمر"],
            Version => ["Version", "Version", "الإصدار"],
            NoZones => [
                "This run has no zones (no zones.geojson): the map shows settlements and facilities only, and there is no zone ranking.",
                "Ce calcul n’a pas de zones (pas de zones.geojson) : la carte montre seulement les localités et les équipements, sans classement des zones.",
                "لا توجد مناطق في هذا التشغيل (لا يوجد zones.geojson): تعرض الخريطة التجمعات والمرافق فقط، دون ترتيب للمناطق.",
            ],
            ScenariosTitle => ["Scenarios", "Scénarios", "السيناريوهات"],
            ScenariosNote => [
                "Each scenario against the baseline (the figures above): people beyond the threshold per service, and the zones whose people beyond the threshold or rank change.",
                "Chaque scénario comparé à la situation de référence (chiffres ci-dessus) : habitants au-delà du seuil par service, et zones dont les habitants au-delà du seuil ou le rang changent.",
                "كل سيناريو مقارنة بالوضع المرجعي (الأرقام أعلاه): السكان خارج العتبة لكل خدمة، والمناطق التي يتغير فيها عدد السكان خارج العتبة أو الترتيب.",
            ],
            Scenario => ["Scenario", "Scénario", "السيناريو"],
            Baseline => ["Baseline", "Référence", "الوضع المرجعي"],
            Change => ["Change", "Variation", "التغير"],
            ZoneChanges => ["Zones that change", "Zones qui changent", "المناطق التي تتغير"],
            RankChange => [
                "Rank change (− = higher on the list)",
                "Variation du rang (− = plus haut dans la liste)",
                "تغير الرتبة (− = أعلى في القائمة)",
            ],
            NoZoneChange => [
                "No zone changes.",
                "Aucune zone ne change.",
                "لا تتغير أي منطقة.",
            ],
            Minutes => ["min", "min", "دقيقة"],
            Metres => ["m", "m", "م"],
            Kilometres => ["km", "km", "كم"],
            ClassHighlyAccessible => ["highly accessible", "très accessible", "سهل الوصول جدًا"],
            ClassAccessible => ["accessible", "accessible", "سهل الوصول"],
            ClassModerate => ["moderately accessible", "moyennement accessible", "متوسط الوصول"],
            ClassRemote => ["remote", "éloigné", "بعيد"],
            ClassVeryRemote => ["very remote", "très éloigné", "بعيد جدًا"],
            Health => ["health", "santé", "الصحة"],
            School => ["school", "école", "المدرسة"],
            Water => ["water", "eau", "الماء"],
            Power => ["power", "électricité", "الكهرباء"],
            ReasonItem => [
                "{1} of people are more than {2} from {0}",
                "{0} : {1} au-delà de {2}",
                "{0}: {1} خارج {2}",
            ],
            LargestComponent => [
                "{0} is the main gap: its trip is {1} times the average",
                "{0} est le principal manque : trajet {1} fois la moyenne",
                "{0} هو النقص الرئيسي: الرحلة {1} × المتوسط",
            ],
            AllSettings => [
                "Every setting of the run (as in run.json)",
                "Tous les paramètres du calcul (tels que dans run.json)",
                "جميع إعدادات التشغيل (كما في run.json)",
            ],
            Speeds => ["km/h", "km/h", "كم/س"],
            PeopleLabel => ["people", "habitants", "نسمة"],
            KeyFigure => [
                "{0} people beyond {1}",
                "{0} habitants au-delà de {1}",
                "{0} نسمة خارج {1}",
            ],
            PrintNote => [
                "Printed from the interactive report; zone figures are in the tables.",
                "Imprimé depuis le rapport interactif ; les chiffres des zones sont dans les tableaux.",
                "طُبع من التقرير التفاعلي؛ أرقام المناطق موجودة في الجداول.",
            ],
            WarnCensusExceeded => [
                "zones whose settlements already hold more people than the census total",
                "zones dont les localités comptent déjà plus d’habitants que le total du recensement",
                "مناطق يفوق عدد سكان تجمعاتها مجموع الإحصاء",
            ],
            WarnCensusNoSettlement => [
                "zones with census people but no settlement to receive them (they stay unallocated)",
                "zones recensées sans localité pour recevoir leurs habitants (non répartis)",
                "مناطق لها سكان في الإحصاء دون تجمع سكني يستقبلهم (يبقون غير موزعين)",
            ],
            WarnCensusUnmatched => [
                "census rows that match no zone",
                "lignes du recensement sans zone correspondante",
                "أسطر إحصاء لا تطابق أي منطقة",
            ],
            WarnInvalidCoordinates => [
                "features with unusable coordinates",
                "entités aux coordonnées inutilisables",
                "عناصر بإحداثيات غير صالحة",
            ],
            WarnInvalidGeometry => [
                "features with an unusable geometry",
                "entités à la géométrie inutilisable",
                "عناصر بهندسة غير صالحة",
            ],
            WarnNoFacility => [
                "services with no facility at all",
                "services sans aucun équipement",
                "خدمات بلا أي مرفق",
            ],
            WarnOffNetwork => [
                "places too far from any road",
                "lieux trop éloignés de toute route",
                "مواقع بعيدة جدًا عن أي طريق",
            ],
            WarnMissingId => [
                "features without an id",
                "entités sans identifiant",
                "عناصر بلا معرّف",
            ],
            WarnDuplicateFacility => [
                "facilities listed twice",
                "équipements en double",
                "مرافق مكررة",
            ],
            Footer => [
                "Made by remoteness {0} from the run’s own files; works offline.",
                "Produit par remoteness {0} à partir des fichiers du calcul ; consultable hors ligne.",
                "أُنتج بواسطة remoteness {0} من ملفات التشغيل نفسها؛ يعمل دون اتصال.",
            ],
        }
    }
}

/// The isolation class `name` (as in `settlements.geojson` `class`) in
/// words; unknown classes are shown as written.
pub fn class_label(lang: Lang, name: &str) -> String {
    let k = match name {
        "highly_accessible" => Key::ClassHighlyAccessible,
        "accessible" => Key::ClassAccessible,
        "moderately_accessible" => Key::ClassModerate,
        "remote" => Key::ClassRemote,
        "very_remote" => Key::ClassVeryRemote,
        other => return other.replace('_', " "),
    };
    lang.t(k).to_string()
}

/// A warning kind of `run.json` in plain words; unknown kinds with their
/// underscores as spaces.
pub fn warning_label(lang: Lang, kind: &str) -> String {
    let k = match kind {
        "census_exceeded" => Key::WarnCensusExceeded,
        "census_no_settlement" => Key::WarnCensusNoSettlement,
        "census_unmatched" => Key::WarnCensusUnmatched,
        "invalid_coordinates" | "invalid_location" => Key::WarnInvalidCoordinates,
        "invalid_geometry" => Key::WarnInvalidGeometry,
        "no_facility" => Key::WarnNoFacility,
        "off_network" => Key::WarnOffNetwork,
        "missing_id" => Key::WarnMissingId,
        "duplicate_facility_id" => Key::WarnDuplicateFacility,
        other => return other.replace('_', " "),
    };
    lang.t(k).to_string()
}

/// A service's name: the four usual services translated, any other name
/// as the config gives it.
pub fn service_label(lang: Lang, name: &str) -> String {
    let k = match name {
        "health" => Key::Health,
        "school" => Key::School,
        "water" => Key::Water,
        "power" => Key::Power,
        _ => return name.to_string(),
    };
    lang.t(k).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_and_labels() {
        assert_eq!(
            Lang::En.fill(Key::WarningCount, &["2", "census"]),
            "2 × census"
        );
        assert_eq!(service_label(Lang::Fr, "health"), "santé");
        assert_eq!(service_label(Lang::Fr, "clinics"), "clinics");
        assert_eq!(class_label(Lang::Ar, "remote"), "بعيد");
        assert_eq!("ar".parse::<Lang>(), Ok(Lang::Ar));
        assert!("de".parse::<Lang>().is_err());
    }
}
