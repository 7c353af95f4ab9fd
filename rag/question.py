"""One analysis of a question, computed once and read by retrieval, every backend and the eval.

:func:`analyze` turns a question (and the conversation before it) into a frozen
:class:`QuestionProfile`: the answer type it expects, what it asks about (the
focus terms and, where the question names one, the attribute such as the
*end* rather than the *start*), the names it mentions, its parts when it asks
two things at once, and how a follow-up was resolved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Sequence

from .quantities import CURRENCY_WORD, extract as quantities_in
from .text import DEMONYM_ENDING, NAME_WORD, QUESTION_FILLERS, QUESTION_WORDS, ROLE_NOUNS, STOPWORDS, proper_names, question_terms, terms, without_possessive

# Expected answer types, tried in order: the first rule that matches wins. Order is what
# resolves collisions: "how much time" is a duration before "how much" is money; "how many
# days" a duration before "how many" a count; "what time" a time of day before "when" a date.
ANSWER_TYPES = (
    "duration", "percent", "amount", "money", "count", "speed", "frequency", "time", "score", "position", "role", "date", "reason", "place", "organisation",
    "person", "kind", "list", "statement", "yesno", "description",
)
# Last words of organisations' names ("Vestey Group", "Lionhead Studios", "Manchester United").
ORG_HEADS = frozenset("""group corp corporation inc ltd plc co company companies holdings studios studio games records pictures
entertainment media network networks bank party council commission committee university college school agency association
federation union league club fc united city rovers athletic wanderers trust foundation institute office department ministry
board authority service services systems software electronics telecom communications capital securities insurance energy
motors airlines airways industries international labs laboratories partners society court parliament assembly senate
congress police army navy forces guard press news times post journal magazine channel radio tv television broadcasting
organisation organization fund exchange""".split())
# The last word of a place's name ("Wall Street", "Guantanamo Bay"): not a person's.
PLACE_HEADS = frozenset("street road avenue lane square park bridge river lake bay island islands valley airport stadium".split())
# The role nouns as one alternation, longest first ("spokeswoman" before "spokesman"…)
_ROLES = "|".join(sorted(ROLE_NOUNS, key=len, reverse=True))


def _describing(most: int) -> str:
    """Up to ``most`` words describing the asked thing ("which Californian video games company"), not a verb or article."""
    return rf"(?:(?!(?:did|does|do|is|was|were|are|has|have|had|will|would|can|could|should|the|a|an|of|in|on|to)\b)[\w'’-]+ ){{0,{most}}}"


_ADJECTIVES = _describing(3)
# Someone described by what they do ("which wealthy backer", "which novelist", "which Labour politician"):
# a noun ending like an agent's ("which former detainee says…"), before a verb; not a thing or a word of
# comparison ("which paper", "which other", "which committee").
_NOT_AGENTS = ("other|another|former|latter|major|minor|senior|junior|prior|later|earlier|under|over|after|paper|letter|number"
               "|order|border|quarter|matter|chapter|winter|summer|centre|center|computer|server|water|power|river|tower|cancer"
               "|counter|poster|trailer|charter|thriller|printer|controller|container|manner|dinner|filter|sector|factor|error"
               "|mirror|motor|floor|door|colour|color|labour|labor|honour|honor|rumour|rumor|humour|favour|behaviour|corridor"
               "|monitor|indicator|generator|reactor|processor|offer|answer|barrier|cover|list|christian"
               "|committee|guarantee|degree|decree|fee|coffee|tree|knee|spree|marquee|jubilee|pedigree|jamboree|toffee|matinee"
               "|three|free|agree|disagree|see|flee|glee")
_AGENT_NOUN = (rf"(?!(?:{_NOT_AGENTS})s?\b)[a-z]+(?:er|or|ist|ian|ee)s?\b(?=\s+(?:did|does|do|is|was|were|are|has|have|had|will|would|can|could|[a-z]+ed|[a-z]+s"
               r"|paid|won|lost|said|made|took|gave|led|ran|wrote|became|left|sold|bought|got|told|held|met|beat|came|went"
               r"|saw|quit|hit|set|put|spent|built|sent|brought|kept|struck|fell|rose|began|chose|drew|drove|found|shot)\b)")
# "How did X describe / react to / sum up…": verbs whose answer is X's own words.
_HOW_SAID = (r"describe|characteri[sz]e|react|respond|reply|explain|view|see|answer|counter|defend|justify|feel"
             r"|sum\s+up|size\s+up|summari[sz]e|assess|interpret|portray|welcome|dismiss|critici[sz]e")
_STATEMENT_VERBS = (r"say|said|tell|told|write|post|claim|warn|announce|argue|add|note|promise|think|suggest|predict"
                    rf"|call|make\s+of|{_HOW_SAID}")
_SPEAKER = re.compile(rf"\b(?:how|what)\s+(?:did|does|do|has|have|had)\s+(.+?)\s+(?:{_STATEMENT_VERBS})\b", re.I)


def _asked(wh: str) -> str:
    """A wh-word that asks: first, after "and"/a comma/a preposition ("since when", "with whom") or a
    verb of telling ("do they say who…"), or last ("…crossed where?"); not one that opens a clause
    inside the question ("the man who…", "…treated when the goal was not given", "…talking about when he
    mentioned…")."""
    return (rf"(?:(?:^|[,;:(]\s*|\b(?:and|or|but|say|says|said|tell|me|know|explain|reveal|confirm|out)\s+)(?:{wh})\b"
            rf"|\b(?:since|until|till|from|to|by|with|for|of|about|at)\s+(?:{wh})\b(?!\s+(?:he|she|it|they|we|i|you|the|a|an|his|her|its|their)\b)"
            rf"|\b(?:{wh})\s*\??\s*$)")

_UNITS = r"(?:seconds|minutes|hours|days|weeks|months|years)"
# "How big a loss…", "How large was the IMF loan…": the words between the size asked and the thing sized
_SIZE_OF = r"(?:(?:is|was|were|are|will be|would be|could be) )?(?:(?:a|an|the|its|his|her|their) )?(?:[\w'’-]+ ){0,2}?"
_SUMS = "profit|loss|revenue|turnover|debt|deficit|fine|bill|sum|payout|price|cost|loan|bid|offer|grant|budget"
_TYPE_RULES: tuple[tuple[str, re.Pattern[str]], ...] = tuple((kind, re.compile(rule)) for kind, rule in (
    # A question that opens on "why" asks a reason, whatever its clauses ask of other things ("Why did the
    # official who briefed Bloomberg on how fast a truce could take effect ask not to be named?")
    ("reason", r"^(?:and |but |so )?why\b"),
    ("duration", rf"\bhow long\b(?!\s+ago)|\b(?:how much|what amount of) time\b|\bhow many {_UNITS}\b(?!\s+ago)|\bfor how many\b|\bduration\b"
                 rf"|\bwhat (?:length|period)\b"
                 # "Do the other reports give the same length for the call?", "the length of his ban"
                 r"|\b(?:same|the) length (?:for|of)\b"
                 # a race's time: how long it took ("What time did the relay squad run?"), not the time of day
                 r"|\bwhat time (?:did|does|do|will|has|have|had) [^?]*\b(?:run|ran|clock|clocked|swim|swam|record|post|cover)\b"
                 r"|\b(?:winning|finishing|qualifying|record|race|personal best) time\b"
                 # a difference in time: "how much slower was he in the final?", "how much longer will it take?"
                 r"|\bhow much (?:slower|faster|quicker|longer|shorter|sooner)\b"
                 # "How quickly were the tickets snapped up?": in how much time ("within 50 minutes")
                 r"|\bhow (?:quickly|rapidly)\b(?! (?:does|do|did) [^?]*\b(?:want|wants|wish|hope)\b)"),
    ("percent", r"\bwhat (?:percentage|percent|proportion|share)\b|\bhow many per ?cent\b|\bby what percent"
                r"|\bwhat (?:was|is|were|are|will be) (?:[\w'’-]+ ){0,3}(?:growth|inflation|unemployment|jobless|interest) rate\b|\bpercentage\b"),
    ("amount", r"\bby how much\b|\bhow much (?:higher|lower|more|less|bigger|smaller|larger|greater|cheaper|dearer)\b"
               # (what a figure moved to: "How high did the debt climb?", "What has it been cut to?")
               r"|\bwhat (?:has|have|had|was|were|is|are|will) [^?]*\b(?:cut|reduced|lowered|raised|increased|risen|fallen) to\s*\??$"
               r"|\bhow (?:much|far|high|low) (?:did|does|has|have|had|will|would) (?:[\w'’-]+ ){0,8}"
               r"(?:rise|rose|risen|fall|fell|fallen|grow|grew|grown|increase|decrease|drop|climb|jump|slip|decline"
               r"|shrink|shrank|shrunk|expand|contract|soar|surge|plunge|tumble|slump|dip|gain|widen|narrow|rebound"
               r"|add|put on|shed|slide|slid|sink|sank|go up|gone up|went up|go down|gone down|went down)"
               # a size or a fall asked as a magnitude: "How big a stake did Fosters take?" (18.8%), "How big is the
               # fraud?" ($2.7bn), "How sharply had the economy shrunk?"; not "how big a threat", nor a sum of
               # money the money rule below types
               rf"|\bhow (?:big|large)\b(?! {_SIZE_OF}(?:threat|problem|issue|role|part|impact|influence|risk"
               rf"|challenge|blow|factor|difference|star|name|fan|hit|success|surprise|mistake|step|change|concern|deal|boost"
               rf"|{_SUMS})s?\b)"
               r"|\bhow (?:sharply|steeply|fast|quickly) (?:did|does|has|have|had|will|would) (?:[\w'’-]+ ){0,8}"
               r"(?:rise|rose|risen|fall|fell|fallen|grow|grew|grown|increase|decrease|drop|dropped|climb|jump|slip|decline"
               r"|shrink|shrank|shrunk|expand|contract|soar|surge|plunge|tumble|slump|dip|gain|widen|narrow|rebound|sink|sank)"
               # "How badly were shares hit?": a market's fall (a person's injuries, or a building's damage, are told)
               r"|\bhow (?:badly|hard|heavily) (?:were|was|did|has|have|had) [^?]*\b(?:shares?|stocks?|profits?|sales|prices?"
               r"|earnings|revenues?|markets?|index|currency|pound|dollar|euro|yen)\b"
               r"|\bhow much of\b"  # "how much of the money…": a share ("half") or a sum
               # "how much wine does…", "how much say will…": a quantity of a thing, not a sum of money
               r"|\bhow much (?!money|cash|funding|funds|profit|revenue|income|tax|debt|capital|investment)[a-z]+ "
               r"(?:did|does|do|is|was|were|are|has|have|had|will|would|can|could)\b"),
    ("money", r"\bhow much\b|\bwhat (?:was|is|were|are|will be) the (?:[\w'’]+ ){0,2}(?:price|cost|value|fee|fine|salary|budget|bill)\b"
              r"|\bwhat (?:[a-z-]+ )?(?:price|sum|amount|salary|fee|fine|wage|compensation|payout|bonus)\b|\bhow many " + CURRENCY_WORD.pattern
              # "What pre-tax profit did BA make?", "How big a loss did LG Card report?": a sum, however it is asked
              + r"|\bwhat (?:[a-z-]+ )?(?:profits?|revenues?|turnover|earnings)\b"
              + rf"|\bhow (?:big|large|small) {_SIZE_OF}(?:{_SUMS})s?\b"
              # "What has Sri Lanka put its rebuilding bill at?": the sum an estimate puts a cost at
              r"|\bwhat (?:has|have|had|did|does|do) [^?]*\b(?:put|estimated?|valued?|priced?) [^?]*\b(?:bill|cost|costs|damage|losses"
              r"|price|value|budget)\s+at\s*\??$"),
    ("money", r"\bin " + CURRENCY_WORD.pattern + r"\s*\??$"),
    ("frequency", r"\bhow (?:often|frequently)\b|\bhow many times (?:a|an|per|each|every)\b"),  # "every 10 seconds", "twice a year"
    ("count", r"\bhow old\b|\bat what age\b|\bhow many\b(?!\s+\w+\s+ago)|\bwhat (?:number|total) of\b|\bthe number of\b|\bwhat number\b"
              r"|\bin (?:(?:mega|kilo|giga)watts|mw|gw|(?:kilo)?met(?:re|er)s|km|miles|tonnes|tons|barrels|lit(?:re|er)s|gallons"
              r"|acres|hectares|square \w+)\s*\??$"),  # a measure asked in a unit: a number must answer
    ("speed", r"\bhow fast\b|\b(?:at )?what speeds?\b|\btop speed\b"),  # a rate: "3km/h", "4 GHz", "ten times faster"
    ("time", r"\b(?:at )?what time\b"),
    ("score", r"\bwhat (?:was|is|were) the (?:final |half-time |full-time )?(?:score|scoreline|result)\b|\bby what score\b"),
    ("role", r"\bwhat (?:is|was) (?:[\w'’-]+ ){1,3}(?:position|job|role|title|post|profession|occupation)\s*\??$"
             # a person's job where it is held ("his job in the government"; not "Russia's position on…")
             r"|\bwhat (?:is|was) (?:his|her) (?:[\w'’-]+ )?(?:position|job|role|title|post) (?:in|at|with) [\w'’ -]+\??$"
             r"|\bwhat (?:position|job|role|title|post) (?:does|did) \w+(?: \w+)? (?:hold|have)\s*\??$"
             # "What job did Sandy Walkington hold at BT before…?" (not "What role did Russia have in the talks?")
             r"|\bwhat (?:position|job|post) (?:does|did|has|had) \w+(?: [\w'’-]+){0,3} (?:hold|held|have|had)\b"
             r"|\bwhat (?:does|did) \w+(?: \w+)? do(?: for a living)?\s*\??$|\bdo for a living\b"
             r"|^where (?:does|did|do|has|have|had) (?:[\w'’-]+ ){1,3}(?:work|worked|serve|served)\b"),  # the title beside the name
    ("date", _asked("when") + r"|\b(?:on |in )?(?:what|which) (?:exact |precise |calendar |specific |particular )?"
             r"(?:day|date|year|month|week|season)\b|\bhow (?:long|many \w+) ago\b"),
    ("list", r"^(?:list|name|give|enumerate|identify) (?:the |all )?(?:two|three|four|five|six|seven|\d+)\b"),
    ("reason", r"\bwhy\b|\bfor what reason\b|\bwhat (?:was|is|were|are) the (?:\w+ )?reasons?\b|\bwhat (?:caused|prompted|led to|triggered|motivated)\b"
               r"|\breason (?:for|behind)\b"
               # "What did Marsh blame for its loss?" asks the cause it gave
               r"|^what (?:did|does|do|has|have|had) [^?]{1,60}\bblame\b[^?]*\bfor\b"),
    # "Where does X rank / finish?": a position in a list or a race ("second", "top"); "where does X stand?" a
    # stance. Neither is a place.
    ("position", r"^where (?:does|do|did|is|was|will) [^?]*\b(?:rank|ranks|ranked|finish|finishes|finished|lie|lies|sit|sits)\b"
                 r"|^(?:in )?(?:what|which) (?:position|place) (?:did|does|do|is|was|will) [^?]*\b(?:finish|finishes|finished|come|came|rank|ranked)\b"),
    ("description", r"^where (?:does|do|did|is|was|will) [^?]*\b(?:stand|stands)\b"),
    ("place", _asked("where") + rf"|\b(?:which|what) {_ADJECTIVES}(?:city|cities|country|countries|region|place|town|state|venue|capital|nation|location|stadium|area|port|sea"
              r"|station|power station|plant|factory|base|prison|camp|mine|dam|reactor)\b"
              # (not a place word naming the body or the person asked for: "which former US State Department official",
              # nor one describing another thing: "what prison sentence", "which state pension")
              + rf"(?!\s+(?:department|media|sentences?|terms?|rates?|officers?|guards?|staff|workers?|conditions|population"
              rf"|pensions?|schools?|services?|systems?|{_ROLES}|{'|'.join(sorted(ORG_HEADS))})\b)"),
    # Organisations, and other things known by a proper name (a film, a product): a capitalised name the question lacks.
    ("organisation", rf"\b(?:which|what) {_ADJECTIVES}(?:company|companies|firm|firms|organi[sz]ations?|agency|agencies|group|bank|banks|party|team|teams|club|clubs|network|broadcaster"
                     r"|newspapers?|paper|outlet|channel|tank|think-tank|thinktank|institute|foundation|committee|department|ministry|body|institution|union|label|studio|publisher|carrier|airline|retailer|brand|band|bands"
                     r"|charity|university|school|hospital|hospice|clinic|hotel|museum|gallery|theatre|council|regulator|watchdog|supermarket|chain|maker|manufacturer|developer|website|magazine"
                     r"|film|films|movie|song|album|book|novel|play|musical|opera|ballet|show|documentary|episode|track|painting|exhibition|programme|series|sitcom|soap|game|product|console|phone|device|award|prize|trophy)\b"
                     # (not a body naming the person asked for: "which State Department official", "which club captain")
                     + rf"(?!\s+(?:{_ROLES})\b)"),
    ("person", _asked("who|whom|whose") + rf"|\bwhich (?:\w+ )?(?:person|people|officials?|leaders?|ministers?|players?)\b|\b(?:which {_ADJECTIVES}(?:[\w'’-]+ )?|what |name of the(?: \w+)? )(?:person|people|"
               + _ROLES + r")\b|\bname the (?:person|official|leader|man|woman)\b"
               # ("the name of the … source", "the name of Keir Starmer's official spokesman")
               r"|\bname of (?:the|(?:[\w.-]+ ){0,2}[\w.-]+'s) (?:[\w-]+ ){0,3}(?:man|woman|boy|girl|suspect|victim|official|person"
               r"|officer|spokesman|spokeswoman|player|driver|pilot|source(?!\s+(?:code|of|material)\b)|aide|diplomat|insider|witness)\b"
               rf"|\bwhich {_describing(4)}{_AGENT_NOUN}"),  # "which British former Guantanamo Bay detainee"
    # A cost or worth asked about with no other wh-phrase ("What did the scheme cost?"); after the
    # rules for people and things, as "Which minister wants a levy to cover the cost of…" asks for a person.
    ("money", r"\bcost\b|\bworth\b"),
    # "What is the trojan called?", "the name of the ship", "his nickname": a name the question lacks.
    ("organisation", r"^what (?:is|was|are|were|will) [^?]*\bcalled\s*\??$|\b(?:name|title|nickname|brand) of\b|\bnicknamed?\b"
                     r"|^what (?:is|was|are|were) (?:the|its|his|her|their) (?:new )?(?:name|title)\b"),
    ("kind", r"\bwhat (?:kind|type|sort|form|category)s? of\b|\bwhich (?:kind|type|sort)\b"),
    ("list", r"^(?:list|name|give|enumerate|identify)\b|\bwhat (?:are|were) the (?:two|three|four|five|main|key)\b|\bwhich (?:two|three|four|five)\b"),
    ("statement", r"\bwhat (?:did|does|has|have|had) [^?]*\b(?:say|said|tell|told|write|written|post|posted|claim|claimed|warn|warned|announce|announced|argue|argued|add|added|note|noted|promise|promised|mean|meant|think|thought|suggest|suggested|predict|predicted)\b"
                  rf"|\bhow (?:did|does|has|have) [^?]*\b(?:{_HOW_SAID})\b"
                  r"|\bwhat (?:did|does|do|has|have) [^?]*\bmake of\b"
                  r"|\b(?:reaction|response|verdict|view|message)\b"),
    ("yesno", r"^(?:did|does|do|is|was|were|are|has|have|had|will|would|can|could|should|must)\b"),
))
QUANTITY_TYPES = {"duration": "duration", "percent": "percent", "money": "money"}
# Answer types a sentence visibly has or lacks: a sentence without one cannot answer.
TYPED = frozenset({"duration", "percent", "amount", "money", "count", "speed", "frequency", "time", "date", "role", "score", "position"})

# Attributes that come in opposites: a sentence that states the opposite of what is asked
# (the call's start for its end) does not answer, however many words it shares.
CONTRASTS = (
    (("start", "begin", "open", "launch"), ("end", "finish", "conclud", "close", "stop")),
    (("rise", "increas", "grow", "growth", "expand", "climb", "jump", "gain"), ("fall", "drop", "declin", "shrink", "shrank", "slump", "lose")),
    (("import",), ("export",)),
    (("profit",), ("loss",)),
)
# each stem -> (its group, the opposite group)
_CONTRAST_OF = {stem: (group, other) for a, b in CONTRASTS for group, other in ((a, b), (b, a)) for stem in group}

# "Who wrote the Bloomberg article…?", "the author of the CNN piece": the byline is asked for.
_AUTHOR_QUESTION = re.compile(r"\b(?:who\s+(?:wrote|authored|reported|filed)|(?:author|authors|byline|writer|writers|reporter|"
                              r"reporters)\s+of)\s+(?:the|this|that|a)\s+(?:[\w'’-]+\s+){0,3}"
                              r"(?:article|story|report|piece|column|op-ed|editorial|analysis)\b", re.I)

# Words that refer back to the conversation.
ANAPHORA = re.compile(
    r"\b(it|its|they|them|their|theirs|he|him|his|she|her|hers|that|this|those|these|there|then|the same|such)\b", re.I)
PERSON_PRONOUN = re.compile(r"\b(he|him|his|she|her|hers)\b", re.I)
# Openings that go on from the conversation ("And roughly how many…?"); "but" and "so" also open
# questions that stand alone.
_GOES_ON = re.compile(r"^\s*(?:and|also|what about|how about)\b", re.I)
# "that game", "this company", "the same film": the one the last answer named, when the last question
# asked which game (company, film) it was.
_THAT_THING = re.compile(r"\b(?:that|this|the same)\s+([a-z]{3,})\b(?!\s+(?:of|to|is|was|has|had|will|would)\b)", re.I)
_LEAD_FILLER = re.compile(r"^\s*(?:(?:and|but|so|also|ok(?:ay)?|then|now|well)\b|when it comes to [^,?]+,|as for [^,?]+,)[\s,]*", re.I)
# A second question starts at "and" + a wh-word, or + a verb that opens a question with its own subject
# ("…, and did Putin agree?"); not one that goes on with the first one's ("…had started and was going well?").
_SPLIT_PARTS = re.compile(r",?\s+and\s+(?=(?:(?:at|in|on|to|from|by|for|with)\s+)?(?:what|who|whom|whose|where|when|why|how|which)\b"
                          r"|(?:did|does|do|is|was|were|has|have)\s+(?!(?-i:not|also|still|never|already|been|being|[a-z]+ing|[a-z]+ed)\b))", re.I)


@dataclass(frozen=True)
class Turn:
    """One earlier exchange of the conversation: the question and the answer text given."""

    question: str
    answer: str = ""
    # (chunk id, document id) of the passages the answer quoted, in citation order: the articles the
    # conversation is on, which a follow-up goes on asking about
    cited: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class QuestionProfile:
    """What a question asks, read once. See :func:`analyze`."""

    question: str  # as asked
    standalone: str  # follow-up resolved against the conversation (same as question otherwise)
    answer_type: str  # one of ANSWER_TYPES
    types: tuple[str, ...]  # every type asked ("where and when" -> place, date); answer_type first
    names: tuple[str, ...]  # proper names the answer must be about ("Putin", "Olena", "Zelenska")
    focus: tuple[str, ...]  # stemmed content terms other than names: what is asked about ("call", "end")
    terms: tuple[str, ...]  # every stemmed question term (names and focus)
    attribute: tuple[str, ...] = ()  # contrastive attribute stems asked for, e.g. ("end",)
    parts: tuple[str, ...] = ()  # the sub-questions of a question that asks several things
    followup: bool = False
    context_terms: tuple[str, ...] = ()  # terms of the conversation a follow-up leans on
    referent: str = ""  # what a pronoun of a follow-up was resolved to
    search: str = ""  # what retrieval looks for, when more than the standalone question (see ``query``)
    # The event the question is tied to in time ("after the call", "during the talks"): stems a passage
    # must hold to be about that moment, not the same topic at another time.
    anchor: tuple[str, ...] = ()
    # What the question grants ("…even though it reported a record profit?"): stems of a clause that is
    # no part of what is asked.
    conceded: tuple[str, ...] = ()
    # A follow-up's previous answer (its lead) when it asks for the same kind of thing again: what the
    # asker has been told, so not what they ask now.
    told: str = ""
    # A follow-up's previous answer's passages (see ``Turn.cited``): the conversation's articles.
    cited: tuple[tuple[str, str], ...] = ()

    @property
    def query(self) -> str:
        """The text to retrieve passages for: the standalone question, and for a follow-up whose
        pronoun was resolved, the question it follows too ("Did Trump think they could end the
        war?" after "What did Trump say on Sunday night…?" is about what he said then)."""
        return self.search or self.standalone

    @property
    def speaker(self) -> tuple[str, ...]:
        """For "How did X react/describe…", "What did X say…": the names of X, whose words are the
        answer (the sentence must be theirs, not about another name of the question)."""
        phrase = self._speaker_phrase
        return tuple(n for n in self.names if re.search(rf"\b{re.escape(n)}\b", phrase)) if phrase else ()

    @property
    def _speaker_phrase(self) -> str:
        """The X of a statement question ("How did X react…", "What did X say…"); "" for any other."""
        m = _SPEAKER.search(self.standalone) if self.answer_type == "statement" else None
        return m.group(1) if m else ""

    @property
    def named_speaker(self) -> tuple[str, ...]:
        """:attr:`speaker` when X is a name ("What did Marco Rubio say…"), not a description that holds
        one ("What did the US national security adviser tell…", "the Chelsea manager"): a named speaker's
        words are in a sentence that names them, or follows one that does ("He added…")."""
        phrase = self._speaker_phrase
        if not phrase or not all(w[0].isupper() for w in re.sub(r"^the\s+", "", phrase, flags=re.I).split()):
            return ()
        return self.speaker

    @property
    def predicate(self) -> str:
        """For a yes/no question, the stem of the verb asked about ("Does Putin support…" -> "support"):
        a sentence that states it (or states its refusal) speaks to the question."""
        if self.answer_type != "yesno":
            return ""
        m = re.match(r"^\s*(?:and\s+|so\s+)?\w+\s+((?:[A-Z][\w'’.-]*\s+|and\s+|the\s+)*)([a-z][\w'’-]*)", self.standalone)
        return (terms(m.group(2)) or [""])[0] if m else ""

    @property
    def asks_author(self) -> bool:
        """ "Who wrote the Bloomberg article…?": answered by the article's byline, not by its sentences."""
        return self.answer_type == "person" and bool(_AUTHOR_QUESTION.search(self.standalone))

    @property
    def quantity(self) -> str | None:
        """The kind of stated quantity that answers it ("duration", "percent", "money"), if any."""
        return QUANTITY_TYPES.get(self.answer_type)

    @property
    def typed(self) -> bool:
        return self.answer_type in TYPED

    @cached_property  # (read for every passage of every part: built once per profile)
    def required_names(self) -> tuple[str, ...]:
        """The names a passage must mention to be about the subject: a forename followed by its
        surname may be left out ("Nicholas Negroponte" is "Mr Negroponte" after the first mention)."""
        text = self.standalone.replace("’", "'")

        def adjacent(a: str, b: str) -> bool:
            return re.search(rf"\b{re.escape(a)}\s+{re.escape(b)}\b", text) is not None

        def forename(i: int) -> bool:  # "Nicholas Negroponte", not "Vestey Group" or "Hato El Charcote"
            names = self.names
            return (i + 1 < len(names) and adjacent(names[i], names[i + 1]) and names[i + 1].lower() not in ORG_HEADS
                    and not (i > 0 and adjacent(names[i - 1], names[i]))
                    and not (i + 2 < len(names) and adjacent(names[i + 1], names[i + 2])))

        def office(name: str) -> bool:  # "the American and Russian presidents": people the article names otherwise
            return _NATIONALITY.search(name) is not None \
                and re.search(rf"\b{re.escape(name)}\s+(?:and\s+[A-Z][\w'-]*\s+)?(?:{_ROLES})s?\b", text) is not None

        # (not a day or a month: "Tuesday's call" is the call an article may date otherwise, "last week")
        return tuple(n for i, n in enumerate(self.names)
                     if not forename(i) and n.lower() not in _CALENDAR_NAMES and not office(n))


_NATIONALITY = re.compile(rf"^[A-Z][a-z]+{DEMONYM_ENDING}$")  # "Russian", "British", "Chinese", "French", "Israeli"


DAYS = "monday tuesday wednesday thursday friday saturday sunday".split()
MONTHS = "january february march april may june july august september october november december".split()
_CALENDAR_NAMES = frozenset(DAYS + MONTHS) - {"may"}  # ("May" may be Theresa May)


_ASIDE = re.compile(r"^(?:apart from|aside from|other than|besides|except(?: for)?)\s+((?:[\w'’-]+\s+){0,3}?[\w'’-]+)\s*,"
                    r"|\b(?:apart from|aside from|other than|besides|except(?: for)?)\s+((?:the|a|an|his|her|its|their)\s+(?:[\w'’-]+\s+){0,3}?[\w'’-]+)\s*\?$", re.I)


# "…even though it reported a record profit?", "Despite the clergy's boycott call, …": what a question grants
_GRANTING = "even though|although|though|despite|in spite of"
_CONCEDED = re.compile(rf"\b(?:{_GRANTING}|even as)\s+([^?,]+?)\s*\??$|^(?:{_GRANTING})\s+([^?,]+?)\s*,", re.I)


# What a question asks of the sources themselves ("Do the reports agree…?", "…and do all the reports put it the
# same way?", "What length do the various reports give…?"): not what the answer is about.
_SOURCES = r"(?:reports?|accounts?|articles?|sources|versions|outlets|media)"
_SOURCES_AGREE = (rf"\b(?:do|did|does)\s+(?:all\s+)?(?:the\s+|both\s+)?(?:[\w'’-]+\s+){{0,2}}?{_SOURCES}\s+(?:(?:all|both)\s+)?"
                  r"(?:agree|match|differ|tally|concur|(?:put|word|see|say|describe|report)\s+(?:it|this|that|the same)"
                  r"(?:\s+the\s+same)?(?:\s+way)?)\b")
_ABOUT_SOURCES = re.compile(rf"{_SOURCES_AGREE}|\b(?:the\s+)?(?:various|different|several|all\s+the)\s+{_SOURCES}(?:\s+give)?\b", re.I)
# ("…, and do all the reports put it the same way?" is no second part: the answer gives each source's account)
_AGREE_CLAUSE = re.compile(rf"(?:,?\s+and\s+|(?<=\?)\s*)(?={_SOURCES_AGREE})[^?]*\??", re.I)


_ANCHOR_TIES = frozenset(terms("after before during since following ahead"))
# The verbs that frame a question on how long ("did it last", "did it take", "did they spend"): not what it is about.
DURATION_FRAMES = frozenset(terms("last lasted take took spend spent"))
# The verb of a reaction question ("How did X react to…", "…respond to…"): its answer rarely repeats it.
_REACTED = re.compile(r"\bhow (?:did|does|do|has|have|had|will|would) [^?]*?\b(react|respond|reply)(?:ed)?\s+to\b", re.I)


def _anchor_terms(question: str) -> tuple[str, ...]:
    m = re.search(r"\b(?:after|before|during|since|following|ahead of)\s+(?:the|this|that|their|his|her|its)\s+"
                  r"((?:[a-z-]+\s+)?[a-z-]+)\s*\??$"
                  # or a clause on what was done ("…at Birmingham before agreeing to join Atletico Madrid?")
                  r"|\b(?:after|before|since|ahead of)\s+([a-z]+ing\s+(?:[\w'’-]+\s+){0,5}?[\w'’-]+)\s*\??$", question.lower())
    return tuple(terms(m.group(1) or m.group(2))) if m else ()


def answer_type(question: str) -> str:
    """The first matching rule of :data:`_TYPE_RULES`, or "description"."""
    q = _LEAD_FILLER.sub("", question.strip()).lower().replace("’", "'")
    for kind, rule in _TYPE_RULES:
        if rule.search(q):
            return _quantity_asked(q) if kind == "yesno" else kind
    return "description"


def _quantity_asked(question: str) -> str:
    """ "Did the call last more than two hours?", "Did sales rise by over 5%?": a yes/no question
    that states a duration, a percentage or a sum is answered by the stated value (and the sources'
    values, when they differ), so it asks for that quantity; any other stays "yesno", as does one whose
    quantity only names a thing ("Did Putin agree to a 30-day pause?")."""
    kinds = [q.kind.split(":")[0] for q in quantities_in(question) if not q.head]
    return kinds[0] if kinds else "yesno"


def split_parts(question: str) -> list[str]:
    """A question asking two things ("Where and when…", "What did X say, and how did Y respond?")
    as its parts; a single question as itself."""
    q = question.strip()
    both = re.match(r"^\s*(where|when|who|what|how long|how many|how much)\s+and\s+(where|when|who|what|how long|how many|how much)\b(.*)$", q, re.I)
    if both:
        rest = both.group(3)
        return [f"{both.group(1)}{rest}", f"{both.group(2)}{rest}"]
    pieces = [p.strip(" ,") for p in _SPLIT_PARTS.split(q) if p.strip(" ,")]
    return pieces if len(pieces) > 1 else [q]


def is_followup(question: str, history: Sequence[Turn | str]) -> bool:
    """A question that leans on the conversation: it refers back, goes on from it ("And roughly how
    many people are expected?"), or is too short to stand alone."""
    return bool(history) and (bool(ANAPHORA.search(question)) or bool(_GOES_ON.match(question)) or len(terms(question)) <= 2)


# Titles and offices that stand before a name ("White House Deputy Chief of Staff Dan Scavino").
_TITLES = frozenset("""white house deputy chief staff president prime minister secretary spokesman spokeswoman
    spokesperson adviser advisor national security state foreign defence defense senator governor general
    mr mrs ms dr sir lord kremlin according ukrainian russian american british french german us uk""".split())


# The last word of a name that is a place, a body or an event, not a person ("Guantanamo Bay", "Davis Cup").
_NOT_PERSON_HEADS = ORG_HEADS | PLACE_HEADS | frozenset("""cup trophy award awards prize festival championship
championships open games olympics series final bowl house palace hall centre center church cathedral hospital prison camp
base station""".split())


def _a_person(name: str) -> bool:
    return without_possessive(name.split()[-1]).lower() not in _NOT_PERSON_HEADS


def _names_in(text: str) -> list[str]:
    """Capitalised names of two words or more in running text, titles dropped ("Dan Scavino")."""
    found = re.findall(rf"\b{NAME_WORD}(?:[-'’][A-Z]?[a-z]+)?(?:\s+[A-Z]\.)?(?:\s+{NAME_WORD}(?:[-'’][A-Z]?[a-z]+)?)+\b", text)
    return [name for name in map(_without_titles, found) if len(name.split()) >= 2]


def _without_titles(name: str) -> str:
    """``name`` without the titles, offices and function words before it ("According to White
    House Deputy Chief of Staff Dan Scavino" -> "Dan Scavino")."""
    kept = name.split()
    while kept and kept[0].lower() in _TITLES | STOPWORDS | QUESTION_WORDS:
        kept.pop(0)
    return " ".join(kept)


def _people_in(previous: str, question: str) -> list[str]:
    """The people a pronoun of ``question`` can mean, from the previous question, subject first.

    Names after "in/at/the" are places or things ("the Oval Office"); when the follow-up also says
    "they", the names joined by "and" are "they" ("Trump and Vance berate Zelensky": he = Zelensky).
    """
    found = [(m.start(), m.group(0)) for m in re.finditer(
        rf"(?<![\w.]){NAME_WORD}(?:[-'’][A-Z]?[a-z]+)?(?:\s+{NAME_WORD}(?:[-'’][A-Z]?[a-z]+)?)*", previous) if m.start() > 0]
    people = []  # (start, end, name without titles or possessive)
    for at, name in found:
        person = _without_titles(without_possessive(name))
        if not person or re.search(r"\b(?:in|at|the|on|from|to)\s+$", previous[max(0, at - 6):at]):
            continue
        people.append((at, at + len(name), person))
    if re.search(r"\b(they|them|their)\b", question, re.I):
        paired = {n for (_, end, a), (start, _, b) in zip(people, people[1:])
                  for n in (a, b) if re.fullmatch(r"\s+and\s+", previous[end:start])}
        people = [p for p in people if p[2] not in paired] or people
    return [n for _, _, n in people]


def resolve(question: str, history: Sequence[Turn | str]) -> tuple[str, str, tuple[str, ...], str]:
    """(standalone question, referent, context terms, lead of the previous answer) for a follow-up;
    the question itself otherwise.

    "he"/"she" become the person the last turn was about: the person its answer named when
    it asked "who", else the subject of its question (see :func:`_people_in`). "That game" after
    "Which video game…?" becomes the game the answer named. Other references ("it", "that figure",
    "the talks") keep the question and add the previous question and the lead of its answer, which
    say what is being referred to.
    """
    if not is_followup(question, history):
        return question, "", (), ""
    last = history[-1] if isinstance(history[-1], Turn) else Turn(str(history[-1]))
    lead = re.split(r"(?<=[.!?])\s|\[\d+\]", last.answer, maxsplit=1)[0] if last.answer else ""
    context_text = f"{last.question} {lead}"
    referent = ""
    if PERSON_PRONOUN.search(question):
        # "he" is a person: not "Guantanamo Bay" in "Which former Guantanamo Bay detainee…?", nor the "Davis Cup"
        in_answer = [n for n in _names_in(last.answer) if _a_person(n)]
        asked_who = answer_type(last.question) == "person"
        if asked_who and in_answer:
            # the person the answer names anew: "…Rubio and Waltz sat down with a delegation led by Andriy
            # Yermak" answers "Who headed the delegation that met Rubio and Waltz?"
            asked = set(terms(last.question))
            candidates = [n for n in in_answer if not set(terms(n)) & asked] or in_answer
        elif asked_who and not re.match(r"\s*who (?:is|was|are|were)\b", last.question, re.I):
            # asked "which official…?" and told no name, "he" is that official, whom the question does not
            # name either (not "Bloomberg" in "…did Bloomberg quote?"); asked "Who is Liana Fix?", "she" is she
            candidates = []
        else:
            candidates = [n for n in _people_in(last.question, question) if _a_person(n)] or in_answer
        if candidates:
            referent = candidates[0]
    if referent:
        standalone = PERSON_PRONOUN.sub(lambda m: referent + ("'s" if m.group(1).lower() in {"his", "hers"} else ""),
                                        question, count=1)
        # The rest of the conversation still says what the question is about.
        return standalone, referent, tuple(terms(last.question)), lead
    pointed = _THAT_THING.search(question)
    if pointed and lead:
        # "Which company makes that game?" after "Which video game…?": the game is the one the answer named.
        asked = re.search(rf"\b(?:which|what)\s+(?:[\w'’-]+\s+){{0,3}}?{pointed.group(1)}e?s?\b", last.question, re.I)
        named = asked and _named_anew(lead, last.question)
        if named:
            standalone = f"{question[:pointed.start()]}{named[0]}{question[pointed.end():]}"
            return standalone, named[0], tuple(terms(last.question)), lead
    standalone = f"{question} ({last.question}{' ' + lead if lead else ''})"
    return standalone, "", tuple(terms(context_text)), lead


def _named_anew(answer: str, previous: str) -> list[str]:
    """Capitalised names in ``answer`` (not opening it) that the question it answers does not use."""
    asked = {w.lower() for w in re.findall(r"[\w'’-]+", previous)}
    found = re.finditer(r"(?<=[a-z,;:]\s)[A-Z][\w'’-]*(?:\s+(?:of\s+|&\s+)?[A-Z][\w'’-]*)*", answer)
    return [m.group(0) for m in found if not {w.lower() for w in re.findall(r"[\w'’-]+", m.group(0))} & asked]


def _last_question(history: Sequence[Turn | str]) -> str:
    return history[-1].question if isinstance(history[-1], Turn) else str(history[-1])


def analyze(question: str, history: Sequence[Turn | str] = ()) -> QuestionProfile:
    """Read ``question`` (with the conversation before it) once: see :class:`QuestionProfile`."""
    question = question.strip()
    standalone, referent, context, told = resolve(question, history)
    parts = split_parts(_AGREE_CLAUSE.sub("", question).strip() or question)
    types = tuple(dict.fromkeys(answer_type(p) for p in parts))
    own_names = [without_possessive(n) for n in proper_names(question)]
    # The referent's words, as names: "Philip Pullman's His Dark Materials" gives Philip, Pullman, Dark,
    # Materials (a function word in a title is no name to look for).
    # A hyphenated name is two names, as in the question's own ("Kilroy-Silk": Kilroy, Silk).
    referent_names = [without_possessive(w) for w in re.split(r"[\s-]+", referent) if w and w.lower() not in STOPWORDS]
    names = tuple(dict.fromkeys([*own_names, *referent_names]))
    name_terms = {t for n in names for t in terms(n)} | {w.lower() for w in names}
    all_terms = tuple(question_terms(standalone if referent else question))
    # What is asked about: not the names, nor the event the question is tied to ("after the call").
    anchor = _anchor_terms(question)
    # Nor what it sets aside ("Apart from the ceasefire, what deal…?"): a sentence on that is not the answer.
    aside = {t for m in _ASIDE.finditer(question) for t in terms(m.group(1) or m.group(2))}
    # Nor what it grants ("Why did the shares slip even though it reported a record profit?"): the answer is
    # about the shares, and a sentence on the profit only restates the question.
    granted = _CONCEDED.search(question)
    conceded = tuple(t for t in terms(granted.group(1) or granted.group(2)) if t not in name_terms) if granted else ()
    aside |= set(conceded)
    aside |= {t for m in _ABOUT_SOURCES.finditer(question) for t in terms(m.group(0))}
    # (nor the word that ties it: "before", "after")
    tie = _ANCHOR_TIES if anchor else frozenset()
    if types[0] == "duration":  # nor the verb that frames how long ("did it last", "did it take")
        tie |= DURATION_FRAMES
        # nor a length the asker states before asking ("One outlet says they talked for roughly 90 minutes. Do the
        # other reports give the same length?"): the value asked about, which the other accounts state otherwise
        # (not one the question offers as an answer: "…for an hour and a half, or two and a half hours?")
        premise = " ".join(re.split(r"(?<=[.!])\s+", question)[:-1])
        tie |= {t for q in quantities_in(premise) if q.kind == "duration" for t in terms(q.surface)}
    if types[0] == "statement":  # nor the verb that asks for a reaction ("How did McLeish react to the ban?": the ban)
        tie |= {t for m in _REACTED.finditer(question) for t in terms(m.group(1))}
    focus = tuple(t for t in dict.fromkeys(all_terms)
                  if t not in name_terms and t not in QUESTION_FILLERS and t not in anchor and t not in aside and t not in tie)
    attribute = tuple(t for t in focus if t in _CONTRAST_OF)
    followup = bool(history) and standalone != question or bool(context)
    return QuestionProfile(
        question=question, standalone=standalone, answer_type=types[0], types=types, names=names, focus=focus,
        terms=all_terms, attribute=attribute, parts=tuple(parts) if len(parts) > 1 else (),
        followup=followup, context_terms=context, referent=referent,
        search=f"{standalone} ({_last_question(history)})" if referent else "", anchor=anchor, conceded=conceded,
        # Asked again for the same kind of thing ("Who does she play next?" after "Who did she beat?"), the
        # asker wants another one than they were told; of another kind ("When did he make it?"), the
        # previous answer may well hold it.
        told=told if told and answer_type(_last_question(history)) == types[0] else "",
        cited=history[-1].cited if followup and isinstance(history[-1], Turn) else (),
    )


def part_profiles(profile: QuestionProfile) -> tuple[QuestionProfile, ...]:
    """One profile per part of a question that asks several things ("What truce had Ukraine offered,
    and how did Washington react?"), each with its own text (``question``), answer type, focus, terms
    and names, and the conversation of the whole; the profile itself for a question that asks one thing."""
    if not profile.parts:
        return (profile,)
    subs: dict[tuple, QuestionProfile] = {}
    for text in profile.parts:
        own = analyze(text)
        # "…, and whom will he replace there?": a part that refers back is about the question's names.
        names = own.names or (profile.names if ANAPHORA.search(text) else ())
        sub = replace(profile, question=text, answer_type=own.answer_type, types=(own.answer_type,), focus=own.focus if own.terms else profile.focus,
                      terms=own.terms or profile.terms, names=names, attribute=own.attribute, parts=())
        subs.setdefault((sub.answer_type, sub.focus), sub)
    return tuple(subs.values())


def contrast_violated(profile: QuestionProfile, sentence_terms: set[str]) -> bool:
    """The sentence states the opposite attribute (a start for an asked end) and not the asked one."""
    for asked in profile.attribute:
        group, opposite = _CONTRAST_OF[asked]
        if any(t in sentence_terms for t in group):
            continue
        if any(t in sentence_terms for t in opposite):
            return True
    return False
