"""Stop words for site search: words a reader adds to a whole question that say nothing about
the subject, dropped from queries (never from the index). Each list is most of the Snowball
project's stop words for the language, plus question words. Left out on purpose: negations ("not",
"no"), which change the meaning, and words that carry a subject here ("estado": a reader's status;
"before", "after", "against", "contra"). Compared after folding, so accents do not matter.
"""

from __future__ import annotations

ENGLISH = """
    a an the and or of to in on at by for from with about as is are was were be been being
    do does did can could will would should may might must shall i me my we our you your he
    she it its they them their this that these those what which who whom whose when where
    why how there here if than then so any some just also has have had am doing having him
    his her hers us ours yours theirs myself yourself itself themselves because until while
    but into through during up down out off over under again further once all both each few
    more most other such only own same too very m s t re ve ll d
"""

# "hacer" forms ask a question as English "do" does: "¿Qué hace la DEA?"
SPANISH = """
    el la los las lo un una unos unas y e o u de del al a en con por para sin sobre entre es
    son era fue ser estar esta este esto estos estas ese esa eso esos esas hay ha han he mi
    mis me te tu tus su sus se nos le les que qué quien quién cual cuál cuales como cómo
    cuando cuándo donde dónde cuanto si ya muy mas más pero tambien también puede pueden
    puedo tengo tiene tienen yo usted ustedes ellos ellas él ella nosotros mí ti desde hasta
    durante todo todos otro otra otros mucho muchos poco algo nada algunos fueron sea sido
    hemos había soy somos está están estoy tenemos hace hacen hizo hacer
"""

STOP_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset(ENGLISH.split()),
    "es": frozenset(SPANISH.split()),
}
