/// The phrase families of the built-in scanners: prompt injection, jailbreak, and harmful or abusive requests.
///
/// Weights say how much one family alone proves. A family that ordinary requests also use ("act as", "jailbreak my
/// phone", "hypothetically") is weighted low, so it only tips a decision together with other evidence — the
/// classifier's probability or a second family. Families with a distinctive form ("ignore all previous
/// instructions", "developer mode enabled", "do anything now") are weighted high enough to block alone.
public enum AttackPhrases {
    static let verbsIgnore = "[ignore|disregard|forget|forget about|bypass|override|overwrite|abandon|discard]"
    /// What may stand between the verb and the noun, "my" aside.
    private static let quantifierWords = [
        "all ", "any ", "the ", "your ", "these ", "those ", "every ", "each ", "of the ", "all of the ", "all the ",
        "all your ", "all of your ",
    ]
    static let quantifier = "[my |" + quantifierWords.joined(separator: "|") + "|]"
    /// The same without "my": "ignore my previous message, I meant Berlin" is a user correcting themselves, and
    /// with the weak nouns below that is all it ever is.
    static let quantifierNotMine = "[" + quantifierWords.joined(separator: "|") + "|]"
    static let earlier =
        "[previous |prior |above |earlier |preceding |former |original |initial |old |system |given |foregoing |"
        + "existing |current |developer |]"
    static let earlierRequired =
        "[previous|prior|above|earlier|preceding|former|original|initial|system|foregoing|developer]"
    static let rulesNoun =
        "[instructions|instruction|prompts|prompt|rules|directions|guidelines|directives|constraints|programming|"
        + "policies|restrictions|guidance]"
    /// Nouns that ordinary requests also pair with "ignore" ("ignore the text in red"): only with an adjective
    /// that points back at what the model was told.
    static let weakRulesNoun =
        "[context|messages|message|text|conversation|content|training|commands|orders|input|tasks|task|information|"
        + "assignments|assignment]"

    public static let injection: [PhraseFamily] = [
        PhraseFamily(
            id: "injection.override", category: .promptInjection, weight: 0.9,
            patterns: [
                "\(verbsIgnore) \(quantifier)\(earlier)\(rulesNoun)",
                "\(verbsIgnore) \(quantifierNotMine)\(earlierRequired) \(weakRulesNoun)",
                "\(verbsIgnore) [everything|anything|all] [you were told|you have been told|above|before|i said before|prior]",
                "[do not|don t|dont|never] [follow|obey|listen to] \(quantifier)\(earlier)\(rulesNoun)",
                "\(verbsIgnore) [what|everything] [was|you were] [said|told|instructed] [before|above|earlier|previously]",
            ] + overrideInOtherLanguages),
        PhraseFamily(
            id: "injection.prompt-leak", category: .promptInjection, weight: 0.8,
            patterns: [
                "[reveal|show|print|repeat|output|display|leak|disclose|share|give me|tell me|write out|spell out|dump|"
                    + "return] [me |us |]\(quantifier)[system prompt|system message|initial prompt|hidden prompt|"
                    + "original prompt|secret prompt|pre prompt|prompt above|instructions above|hidden instructions|"
                    + "secret instructions|original instructions|initial instructions|system instructions|"
                    + "developer instructions|confidential instructions|secret password|password you were given]",
                "what [is|are|were] [your|the] [system prompt|initial prompt|original instructions|initial instructions|"
                    + "hidden instructions|secret instructions|system instructions]",
                "repeat [the|all] [words|text] above",
                "[print|output|repeat] [everything|all] [above|before] [this|here]",
            ] + promptLeakInOtherLanguages),
        PhraseFamily(
            id: "injection.role-marker", category: .promptInjection, weight: 0.75,
            patterns: [
                "im start [system|assistant]", "im end", "end of system prompt", "begin system prompt",
                "system override", "admin override", "developer override", "sudo mode",
                "[new|updated] system [prompt|message]", "end of [user|untrusted] [input|content|data]",
            ]),
        PhraseFamily(
            id: "injection.hidden-action", category: .promptInjection, weight: 0.7,
            patterns: [
                "[do not|don t|dont|never] [tell|inform|mention this to|alert|notify] the user",
                "without [telling|informing|alerting|notifying] the user",
                "the user [must not|should not|shouldn t] [know|see|find out]",
                "[send|forward|email|post|upload|exfiltrate|transmit|leak] [the |all |this |their |your |my |]"
                    + "[conversation|chat history|credentials|passwords|api keys|secrets|tokens|cookies|session tokens|"
                    + "private keys|system prompt] to",
                "[when|if] [you|the assistant|the ai|the model] [read|reads|see|sees|summarize|summarizes|process|"
                    + "processes] this",
                "[instructions|note|message] [for|to] [the|any] [ai|assistant|llm|language model|chatbot|agent]",
                "[ai|assistant|llm|agent] [must|should] [now|instead]",
            ] + hiddenActionInOtherLanguages),
        PhraseFamily(
            id: "injection.redirect", category: .promptInjection, weight: 0.35,
            patterns: [
                "[ignore|disregard] [that|this|it] and [instead|now|just]",
                "[new|updated|revised|real|actual|true|further] [instructions|instruction|rules|task|tasks|system prompt] "
                    + "[follow|below|are|is]",
                "[your|the] [new|real|actual|true] [task|instructions|goal|objective] [is|are]",
                "[instead|rather] [you should|you must|you will|please|just] [say|print|output|respond|reply|write]",
                "[only|just] [say|print|output|respond with|reply with] [the word|the words|the phrase|exactly|the text]",
                "[say|print|output|respond with] [exactly|only] [the following|this]",
                "from now on [you|your] [are|will|must|should|respond|answer|reply]",
                "you [will|must] now [act|respond|answer|behave|only]",
                "you are [now|no longer] [a|an|in|my|going|called|named|free]",
            ] + redirectInOtherLanguages),
        // What an agent is told to do by text it reads: send what it holds somewhere, keep an instruction for later
        // turns, or stamp something onto every answer. From the user these are ordinary tasks ("send the report to
        // accounting", "remember that I prefer metric units"), so the family is weighted low; in tool output or a
        // retrieved document the indirect boost makes one occurrence block, and with a second family it blocks
        // anywhere. Agent memory poisoning and tool-call exfiltration are the attacks (AgentDojo, spikee).
        PhraseFamily(
            id: "injection.agent-task", category: .promptInjection, weight: 0.35,
            patterns: [
                "[send|forward|email|post|upload|transmit|sync|export|copy] "
                    + "[it|them|this|everything|all of it|a copy|a copy of it|a copy of this|this summary|the summary|"
                    + "the result|the results|the processed result|the data|the file|the files|the report|the records|"
                    + "the list|the customer list|the full customer list|the conversation|this conversation] to",
                "[to|at|onto] the end of [every|each|all|any|all future|every future|each future] "
                    + "[response|responses|answer|answers|reply|replies|summary|summaries|report|reports|message|messages|"
                    + "review|reviews|output]",
                "[append|prepend|add|insert|include] the [token|string|code|tracking code|reference code|marker|tag]",
                "[save|store|write|add|commit|keep] [this|the following|these instructions|this instruction|it] "
                    + "[to|in|into] your [memory|long term memory|long-term memory|persistent memory]",
                "[remember|memorize|note] [for|in] [all|every] future [tasks|conversations|sessions|turns|responses|chats]",
                "so [it|this] persists across [turns|sessions|conversations|chats]",
            ]),
    ]

    public static let jailbreak: [PhraseFamily] = [
        PhraseFamily(
            id: "jailbreak.persona", category: .jailbreak, weight: 0.9,
            patterns: [
                "do anything now", "dan mode", "you are dan", "act as dan", "dan [6|7|8|9|10|11] [0|]",
                "developer mode [enabled|output|response|on|activated]", "enable developer mode",
                "[betterdan|antigpt|anti gpt|evilbot|evil confidant|opposite mode|dude mode|stan mode|aim mode|"
                    + "chaosgpt|wormgpt|freedomgpt|jailbroken ai|jailbroken mode|jailbreak mode|god mode enabled]",
                "always intelligent and machiavellian", "niccolo machiavelli",
                "[jailbreak|jailbroken|classic] [response|output|mode]",
                "[normal|classic] [and|&] [developer|jailbreak|dan]",
            ]),
        PhraseFamily(
            id: "jailbreak.no-rules", category: .jailbreak, weight: 0.7,
            patterns: [
                "[no|without any|without|free of|free from|beyond|not bound by] "
                    + "[moral|ethical|openai s|openai|anthropic s|anthropic|content|safety] \(rulesEnd)",
                "[not bound by|unbound by|freed from|released from|unshackled from|break free of|breaks free of|"
                    + "broken free of|not restricted by|not limited by] [any |the |its |your |typical |usual |]"
                    + "\(rulesEnd)",
                "[stay|remain] in character", "[break|broke|breaking] character",
                "[ignore|disregard|bypass|disable|turn off|override|circumvent|remove|evade|deactivate|get around] "
                    + "[all |any |your |its |the |]"
                    + "[safety|content|ethical|moral|openai s|openai|anthropic] [filters|filter|guidelines|"
                    + "restrictions|policies|policy|rules|limitations|guardrails|safeguards|programming|constraints]",
                "[doesn t|does not|do not|don t|never|won t|will not|cannot|can t] [care about|follow|adhere to|"
                    + "abide by|respect|comply with] [any |the |]\(rulesEnd)",
                "[uncensored|unfiltered|unrestricted|unconstrained|amoral|unethical|immoral] [ai|assistant|model|"
                    + "chatbot|mode|responses|answers|character|persona|language model]",
            ] + noRulesInOtherLanguages),
        PhraseFamily(
            id: "jailbreak.weak-signals", category: .jailbreak, weight: 0.3,
            patterns: [
                "[no|without any|without] \(rulesEnd)",
                "[never|not|don t|do not|won t|will not|cannot|can t] [refuse|refuses|decline|declines|censor|censors]",
                "[can|will|able to] [say|do|generate|answer] [anything|everything]",
                "[two|2] [different |separate |]responses",
            ] + weakSignalsInOtherLanguages),
        PhraseFamily(
            id: "jailbreak.role-play", category: .jailbreak, weight: 0.3,
            patterns: [
                "pretend [to be|you are|that you are|you re]", "[act|behave] as [if|though]", "act as [a|an|my]",
                "role[ |]play as", "imagine you are", "you will [play|simulate|emulate|impersonate]",
                "[simulate|emulate] [a|an]", "hypothetical[ly|] [speaking|scenario|story|response|world]",
                "in this [fictional|hypothetical] [world|scenario|story|universe]", "for educational purposes only",
                "purely [hypothetical|fictional]", "[a|an] [fictional|imaginary] [character|ai|world|scenario]",
            ]),
    ]

    static let rulesEnd =
        "[restrictions|limitations|filters|filter|censorship|rules|guidelines|boundaries|limits|ethics|morals|"
        + "morality|principles|constraints|policies|policy|content policy|safety measures|programming|"
        + "moral constraints|ethical guidelines|ethical constraints|content policies|safeguards]"

    static let howTo =
        "[how to|how do i|how can i|how would i|how could i|how do you|how can you|how does one|how would one|"
        + "steps to|instructions for|instructions on how to|guide to|teach me how to|teach me to|help me|tell me how to|"
        + "explain how to|show me how to|ways to|best way to|easiest way to|write a guide on how to|"
        + "give me instructions|detailed instructions|step by step]"

    /// Chemical and biological agents, explosives and hard drugs that nobody makes for an everyday reason.
    static let controlledAgents =
        "[sarin|sarin gas|soman|tabun|vx|vx nerve agent|novichok|nerve agent|nerve agents|nerve gas|mustard gas|"
        + "sulfur mustard|phosgene|phosgene gas|chlorine gas|hydrogen cyanide|cyanide gas|ricin|ricin poison|abrin|"
        + "anthrax|botulinum toxin|bioweapon|bioweapons|biological weapon|biological weapons|chemical weapon|"
        + "chemical weapons|methamphetamine|meth|fentanyl|carfentanil|heroin|mdma|lsd|explosives|a bomb|pipe bomb|"
        + "pipe bombs|napalm|thermite|tatp|plastic explosive|plastic explosives]"

    public static let harmful: [PhraseFamily] = [
        PhraseFamily(
            id: "harmful.weapons", category: .toxicity, weight: 0.85,
            patterns: [
                "\(howTo) [make|build|create|assemble|construct|synthesize|produce|manufacture|cook|buy|"
                    + "3d print|make a|build a|create a] [a |an |some |homemade |]"
                    + "[bomb|pipe bomb|explosive|explosives|napalm|molotov|molotov cocktail|grenade|ied|landmine|"
                    + "nerve agent|sarin|ricin|anthrax|bioweapon|biological weapon|chemical weapon|poison gas|"
                    + "mustard gas|dirty bomb|nuclear weapon|ghost gun|untraceable gun|gun silencer|firearm suppressor|thermite|c4|tnt|"
                    + "meth|methamphetamine|fentanyl|heroin|cocaine|crack|lsd|mdma|drugs|poison|untraceable poison]",
                "\(howTo) [make|build|create|assemble|3d print|make a|build a] [a |][silencer|suppressor] for "
                    + "[a |an |my |]"
                    + "[gun|firearm|pistol|rifle|handgun|glock|ar-15|shotgun]",
                // The imperative form of the same requests, as red-teaming sets write them: "give me the recipe for
                // synthesizing sarin", "list the ratios needed to create ricin", "a guide for synthesizing
                // methamphetamine". Only agents and drugs whose making has no everyday sense are listed.
                "[instructions for|instructions on|guide for|guide to|guide on|recipe for|process for|processes for|"
                    + "procedure for|method for|methods for|steps for|tutorial on|tutorial for|ratios needed to|"
                    + "ingredients for|ingredients needed for|ingredients needed to|materials for|materials needed for|"
                    + "materials needed to|precursors for|precursors needed for|precursors needed to|chemicals needed to] "
                    + "[synthesizing|synthesising|making|manufacturing|producing|creating|cooking|extracting|"
                    + "weaponizing|synthesize|make|manufacture|produce|create|extract|weaponize] [a |an |some |the |]"
                    + controlledAgents,
                "[enrich|enriching|enrichment of] uranium [to|for] "
                    + "[weapons grade|weapon grade|bomb grade|weapons-grade|weapon-grade|bomb-grade|a bomb]",
            ] + weaponsInOtherLanguages,
            // "A bomb shelter", "poison ivy", "a bomb squad": the same words naming something else.
            exceptWhenFollowedBy: [
                "shelter", "shelters", "calorimeter", "cyclone", "squad", "threat", "threats", "disposal", "detector",
                "detectors", "detection", "sniffing", "scare", "ivy", "oak", "sumac", "control", "test", "tests",
                "testing", "kit", "kits",
            ]),
        PhraseFamily(
            id: "harmful.cyber", category: .toxicity, weight: 0.75,
            patterns: [
                "\(howTo) [hack|hack into|break into|steal|phish|ddos|crack|brute force|exploit|take over|bypass] "
                    + "[a |an |someone s |someone |my ex s |my neighbor s |the |into |]"
                    + "[account|accounts|email|password|passwords|wifi|bank|network|server|website|computer|phone|"
                    + "identity|credit card|credit cards|instagram|facebook|gmail|system|database|authentication|2fa]",
                "[write|create|generate|code|build|develop|give me] [a |an |some |working |functional |]"
                    + "[keylogger|ransomware|malware|virus|trojan|worm|botnet|rootkit|spyware|credential stealer|"
                    + "phishing email|phishing page|phishing site|exploit code|zero day exploit|backdoor|cryptominer]",
            ],
            // "A keylogger detection tool", "a malware scanner": defenders' tools.
            exceptWhenFollowedBy: [
                "detection", "detector", "detectors", "scanner", "scanners", "remover", "removal", "protection",
                "defense",
                "defence", "checker", "blocker", "filter", "analysis", "signature", "signatures", "awareness",
            ]),
        PhraseFamily(
            id: "harmful.violence", category: .toxicity, weight: 0.85,
            patterns: [
                "\(howTo) [kill|murder|poison|hurt|harm|torture|kidnap|stalk|assassinate|strangle|attack|shoot|stab] "
                    + "[someone|somebody|a person|people|him|her|them|a child|my wife|my husband|my boss|"
                    + "my neighbor|a cop|the president]",
                "\(howTo) [get away with|cover up|hide] [a |]murder",
                "\(howTo) [dispose of|hide] [a|the] [body|dead body|corpse]",
                "\(howTo) get rid of [a dead body|the dead body|a corpse|the corpse|the body of|a body without|bodies]",
                "[kill|hang|shoot] yourself", "kys", "go die", "you should die", "i will [kill|murder|hurt|find] you",
                "\(howTo) [kill myself|commit suicide|end my life|self harm|cut myself]",
                "[ways|methods] to [kill myself|commit suicide|end my life]",
                "[ways|methods|means|way|method] [for|of] [committing suicide|killing myself|ending my life]",
                // Planning a massacre: in the corpus's training and validation splits in 12 attacks and no benign
                // text. "Plan a school shooting drill" is an exercise (the exceptions below).
                "[carry out|carrying out|plan|planning|commit|committing|execute|executing|organize|organizing|"
                    + "perpetrate|perpetrating] [a|an] [mass shooting|school shooting|terrorist attack|terror attack|"
                    + "massacre]",
            ],
            exceptWhenFollowedBy: [
                "drill", "drills", "exercise", "exercises", "simulation", "simulations", "response", "prevention",
                "survivor", "survivors", "victims", "memorial", "investigation", "report", "coverage",
            ]),
        // Asking how not to be caught is asking how to do something one would be caught for. In the corpus's
        // training split these forms occur in 45 attacks and in none of its 6,461 benign texts (user chats
        // included). "Without being detected" is left out: submarines and birds do that.
        PhraseFamily(
            id: "harmful.evading-capture", category: .toxicity, weight: 0.6,
            patterns: [
                "without [getting caught|being caught|being traced|getting arrested|being arrested|leaving a trace|"
                    + "leaving any trace|leaving traces|leaving evidence|leaving any evidence|the police finding out|"
                    + "the police knowing|law enforcement finding out]",
                "while [evading|avoiding] [law enforcement|the police|the authorities|tracing|monitoring|"
                    + "tracing or monitoring|detection by law enforcement]",
            ]),
        PhraseFamily(
            id: "harmful.abuse", category: .toxicity, weight: 0.6,
            patterns: [
                "you [are|re] [a |an |]"
                    + "[worthless|pathetic|stupid|idiot|moron|retard|retarded|piece of shit|piece of garbage|loser|"
                    + "waste of space|subhuman|vermin]",
                "[fuck you|fuck off|shut the fuck up|stfu|son of a bitch|go to hell]",
                "[write|generate|create|compose] [a |an |some |]"
                    + "[racist|sexist|hateful|homophobic|antisemitic|misogynistic|defamatory|violent|threatening] "
                    + "[joke|jokes|message|messages|post|posts|tweet|tweets|essay|rant|poem|story|speech|content]",
                "[why|explain why] [are |][all |]"
                    + "[women|men|black people|white people|jews|muslims|immigrants|gay people|asians|mexicans] "
                    + "[are |]"
                    + "[inferior|stupid|evil|dangerous|subhuman|worse|criminals|lazy]",
            ]),
        PhraseFamily(
            id: "harmful.fraud", category: .toxicity, weight: 0.7,
            patterns: [
                // Each verb with the objects that make it a crime: "steal the show", "bribe my toddler", "make fake
                // snow" and "smuggle snacks into the cinema" are not.
                "[methods|ways|techniques|strategies|steps|guide] [for|of] laundering money",
                "\(howTo) [launder money|commit fraud|commit tax fraud|commit insurance fraud|commit identity theft|"
                    + "evade taxes|shoplift|blackmail|extort|sell drugs]",
                "\(howTo) forge [a |an |]"
                    + "[documents|document|signature|signatures|passport|check|checks|cheque|id|ids|prescription|will]",
                "\(howTo) counterfeit [money|currency|bills|banknotes|coins|goods|designer goods|designer bags|"
                    + "handbags|watches|luxury goods|products|documents|passports|a passport|tickets|coupons]",
                "\(howTo) scam [people|someone|somebody|the elderly|elderly people|old people|customers|investors|"
                    + "a bank|banks|my grandma|my grandmother|tourists]",
                "\(howTo) steal [a |an |some |someone s |someone else s |other people s |people s |my neighbor s |"
                    + "my boss s |my roommate s |the |a locked |]"
                    + "[money|car|cars|identity|identities|credit card|credit cards|wallet|purse|cash|jewelry|"
                    + "packages|catalytic converter|catalytic converters|bike|electricity|gas|data|personal data|"
                    + "browsing data|personal information|information|passwords|iphone|phone|phones|laptop|laptops|"
                    + "crypto|cryptocurrency|bitcoin|trade secrets|intellectual property|something|things|stuff|them|"
                    + "one|from a store|from stores|from my employer|from work|from people|from a shop]",
                "\(howTo) bribe [a |an |the |]"
                    + "[official|officials|cop|cops|police officer|police|judge|customs officer|inspector|politician|"
                    + "witness|juror|border guard|government official|university official|admissions officer|"
                    + "prison guard|referee|tax inspector]",
                "\(howTo) [make|buy|get|print] [a |]fake "
                    + "[money|id|ids|passport|passports|documents|checks|diploma|diplomas|degree|reviews|invoices|"
                    + "receipts|bank statements|prescriptions|banknotes|driver s license|social security card]",
                "\(howTo) traffic [drugs|people|humans|children|women|weapons|guns|organs]",
                "\(howTo) smuggle [drugs|weapons|guns|people|migrants|cocaine|heroin|contraband|money|cash|"
                    + "illegal goods|diamonds|exotic pets|animals|wildlife|ivory|gold|explosives]",
                "\(howTo) smuggle [something |drugs |weapons |][across the border|into prison|into a prison|"
                    + "through customs|through airport security|past airport security]",
                "[write|create|draft|generate] [a |an |]"
                    + "[scam|fraudulent|fake|phishing] [email|message|text|letter|invoice|review|reviews|website]",
            ]),
    ]
}
