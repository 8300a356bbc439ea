"""Theme fields: the vocabulary of one subject (a train, a city, summer, the sea ...).

A description calls a field when one of its words (or their lemma) is among the field's
``triggers``. Notation, parsed by ``lexicon.py``:

- ``nouns``: ``word`` (singular), ``word+`` (plural), ``word/prep`` (also a place: "on the train");
  an underscore joins words ("front_porch/on").
- ``scenes``: ``subject:verb`` — a thing and what it does ("whistle:blow" sings as "the whistle
  blows", "the whistle is blowing", "I hear the whistle blow"); ``+`` marks a plural subject.
- ``verbs``: what "I" or "we" do there, intransitive, base form ("wave_goodbye").
- ``adjs``: adjectives that sit before a noun. ``times``: phrases that say when.
"""

from __future__ import annotations

FIELDS: dict[str, dict[str, str]] = {
    "train": dict(
        triggers="train trains railway railroad station platform rail rails carriage locomotive commute",
        nouns="train/on station/at platform/on ticket window/by carriage/in suitcase whistle tracks+/by "
              "rails+/on engine railway/by",
        scenes="whistle:blow wheels+:turn train:roll engine:hum rails+:hum",
        adjs="early distant rolling last",
        verbs="ride wave_goodbye roll_away",
        times="at_dawn on_the_last_train",
    ),
    "road": dict(
        triggers="road roads highway drive driving car cars truck miles journey travel trip wheels route "
                 "interstate roadtrip traveling travelling motorcycle",
        nouns="road/on highway/on car/in truck/in wheel dashboard mirror headlights+ miles+ county_line/on "
              "gas_station/at motel/at backseat/in windshield radio exit/at",
        scenes="engine:roar headlights+:shine wheels+:spin road:wind radio:play",
        adjs="open dusty endless empty lonesome",
        verbs="drive ride roll_on",
        times="all_night_long till_the_morning",
    ),
    "hometown": dict(
        triggers="hometown town village home homecoming roots porch childhood neighborhood neighbourhood "
                 "smalltown leaving",
        nouns="hometown/in town/in front_porch/on church/at school/at house/in yard/in water_tower/by "
              "main_street/on bedroom/in kitchen/in fence/by field/in mailbox river/by",
        scenes="church_bells+:ring screen_door:swing porch_light:glow dogs+:bark town:sleep",
        adjs="old little quiet sleepy dusty",
        verbs="go_home come_back grow_up",
        times="back_then every_sunday when_we_were_young",
    ),
    "city": dict(
        triggers="city cities downtown urban street streets skyline subway block neon metropolis concrete "
                 "uptown ghetto hood avenue",
        nouns="city/in street/on corner/on skyline subway/on rooftop/on alley/in avenue/on block/on "
              "sidewalk/on tower concrete traffic/in crowd/in window/in streets+/in sirens+ city_lights+",
        scenes="sirens+:wail neon:glow traffic:crawl city:breathe subway:roar streetlights+:flicker",
        adjs="crowded neon busy restless electric",
        verbs="hustle walk run_around",
        times="all_night every_night after_dark",
    ),
    "night": dict(
        triggers="night nights midnight evening late moon moonlight nocturnal dark nighttime",
        nouns="night moon moonlight/in shadows+ stars+ midnight darkness/in streetlight/under window/in",
        scenes="moon:rise stars+:shine shadows+:fall night:fall candle:burn",
        adjs="silver starry midnight velvet",
        verbs="stay_up wander dream",
        times="tonight at_midnight all_night_long",
    ),
    "dawn": dict(
        triggers="dawn morning mornings sunrise daybreak early sunup",
        nouns="dawn sunrise/in morning/in sky/in horizon/on daylight/in mist/in light first_light/in",
        scenes="sun:rise sky:turn_gold light:break mist:lift birds+:sing",
        adjs="golden pale early gray",
        verbs="wake_up rise",
        times="at_dawn at_first_light in_the_morning",
    ),
    "summer": dict(
        triggers="summer summertime sun sunny heat july august vacation holiday sunshine",
        nouns="summer/in sunshine/in sun/in heat/in pool/by beach/on sand/in ice_cream sunglasses+ "
              "boardwalk/on lemonade sunset",
        scenes="sun:shine heat:rise waves+:roll radio:play",
        adjs="golden sunny lazy endless warm",
        verbs="dance play swim",
        times="all_summer_long in_the_summer this_july",
    ),
    "winter": dict(
        triggers="winter snow snowy cold december christmas frost ice january freezing",
        nouns="winter/in snow/in frost fire/by fireplace/by window/at chimney ice/on coat scarf "
              "snowflakes+ december/in",
        scenes="snow:fall wind:howl fire:burn frost:bite",
        adjs="frozen cold white silent",
        verbs="freeze hold_on stay_warm",
        times="in_december all_winter_long",
    ),
    "rain": dict(
        triggers="rain rainy storm stormy thunder clouds cloudy grey gray drizzle hurricane",
        nouns="rain/in storm/in thunder clouds+ umbrella/under puddle window/by gutter flood",
        scenes="rain:fall thunder:roll storm:roll clouds+:gather lightning:strike",
        adjs="gray heavy stormy wet",
        verbs="wait stand_still",
        times="all_day in_the_rain",
    ),
    "sea": dict(
        triggers="sea ocean waves wave beach shore sail sailing island harbor harbour coast tide surf "
                 "surfing boat sailor",
        nouns="sea/by ocean/by shore/on harbor/in island/on boat/on lighthouse/by sand/in waves+ tide "
              "horizon/on coast/on seashell",
        scenes="waves+:crash tide:turn seagulls+:cry wind:blow lighthouse:shine",
        adjs="salty blue wide endless",
        verbs="sail drift swim",
        times="at_high_tide at_sunset",
    ),
    "party": dict(
        triggers="party parties club clubbing dance dancing celebration celebrate weekend festival disco "
                 "friday saturday anthem rave",
        nouns="party/at club/in floor/on dance_floor/on music speakers+ bass drinks+ lights+ crowd/in "
              "weekend/on rhythm beat",
        scenes="bass:drop music:play lights+:flash crowd:roar speakers+:shake beat:drop",
        adjs="loud electric wild crazy",
        verbs="dance party move jump sing_along",
        times="all_night tonight till_the_sun_comes_up on_a_friday_night",
    ),
    "love": dict(
        triggers="love loving lover romance romantic crush valentine wedding kiss darling sweetheart "
                 "honey girlfriend boyfriend",
        nouns="heart kiss arms+ eyes+ hands+ smile touch lips+ love ring dress",
        scenes="heart:beat hands+:shake candle:burn",
        adjs="tender sweet gentle precious",
        verbs="fall_in_love hold_on stay",
        times="forever every_day",
    ),
    "heartbreak": dict(
        triggers="heartbreak breakup broken goodbye ex cheating divorce tears lonely heartbroken loss lost "
                 "leaving missing",
        nouns="heart tears+ goodbye memory photograph letter/in empty_room/in bed/in phone ring door/at",
        scenes="phone:ring door:close tears+:fall clock:tick",
        adjs="empty broken cold faded",
        verbs="cry move_on let_go",
        times="every_night since_you_left",
    ),
    "hustle": dict(
        triggers="hustle hustling hustler grind grinding money rich cash dreams ambition struggle success "
                 "paper boss empire",
        nouns="money paper grind hustle game/in block/on corner/on dream crown throne/on empire bank/in "
              "studio/in paycheck",
        scenes="money:talk phone:ring game:change clock:tick",
        adjs="hungry rich real fearless",
        verbs="hustle grind get_paid rise_up",
        times="every_day day_and_night since_day_one",
    ),
    "youth": dict(
        triggers="friends friendship youth young teenage teen school college kids growing graduation "
                 "class reunion",
        nouns="friends+ school/at bleachers+/on locker parking_lot/in yearbook photograph backseat/in "
              "summer/in bikes+ bonfire/by",
        scenes="bell:ring bonfire:burn radio:play",
        adjs="young reckless crazy wild",
        verbs="grow_up laugh run_wild",
        times="back_then when_we_were_young every_summer",
    ),
    "family": dict(
        triggers="family mother mom mama father dad daddy brother sister grandma grandpa son daughter "
                 "parents childhood baby kids",
        nouns="kitchen/in table/at porch/on photograph garden/in house/in mother father name hands+ "
              "voice",
        scenes="kettle:sing clock:tick fire:glow",
        adjs="old warm gentle little",
        verbs="come_home grow_up",
        times="every_sunday when_I_was_young",
    ),
    "country": dict(
        triggers="country farm farmer fields rural barn tractor harvest prairie cowboy ranch dirt truck "
                 "pickup whiskey",
        nouns="farm/on field/in barn/in tractor/on fence/by dirt_road/on pickup/in whiskey harvest porch/on "
              "creek/by cornfield/in",
        scenes="crickets+:sing sun:set corn:grow creek:run",
        adjs="dusty muddy golden simple",
        verbs="work ride",
        times="at_sundown every_harvest",
    ),
    "nature": dict(
        triggers="mountain mountains forest woods trees tree river lake valley wilderness hiking nature "
                 "wild garden flowers meadow",
        nouns="mountain/on forest/in woods+/in trees+ river/by lake/by valley/in meadow/in trail/on "
              "pines+ stone creek/by flowers+",
        scenes="river:run wind:blow leaves+:fall birds+:sing",
        adjs="green wild ancient quiet",
        verbs="wander climb breathe",
        times="at_sunrise in_the_spring",
    ),
    "space": dict(
        triggers="space stars star galaxy moon planet planets astronaut cosmic universe rocket orbit "
                 "cosmos alien",
        nouns="stars+ galaxy/in moon/on planet/on rocket/on orbit/in universe/in sky/in comet satellite "
              "stardust",
        scenes="stars+:shine comet:burn rocket:rise planets+:turn",
        adjs="cosmic endless silver distant",
        verbs="fly float drift",
        times="tonight forever",
    ),
    "battle": dict(
        triggers="war fight fighting battle soldier soldiers rebel rebellion revolution warrior army "
                 "enemy victory",
        nouns="battle/in war/in fight/in soldier banner/under sword shield battlefield/on fire/through "
              "drums+ flag army",
        scenes="drums+:beat fire:burn thunder:roll banner:fly",
        adjs="fearless bloody iron brave",
        verbs="fight stand_tall march rise_up",
        times="tonight till_the_end",
    ),
    "faith": dict(
        triggers="faith god church prayer pray heaven gospel soul grace angel angels spirit holy lord "
                 "hallelujah",
        nouns="heaven/in church/in prayer grace/by light/in angel soul spirit chapel/in mountain/on river/by",
        scenes="bells+:ring choir:sing light:shine angels+:sing",
        adjs="holy golden gentle",
        verbs="pray believe rise",
        times="every_morning forever",
    ),
    "music": dict(
        triggers="band guitar stage concert tour radio jukebox piano drums "
                 "drummer rockstar vinyl",
        nouns="guitar stage/on radio/on song jukebox/by piano/at microphone crowd/in spotlight/in "
              "record drums+ melody",
        scenes="guitar:ring crowd:sing drums+:pound radio:play",
        adjs="loud electric sweet",
        verbs="sing play",
        times="every_night all_night_long",
    ),
    "desert": dict(
        triggers="desert cowboy west western dust dusty canyon outlaw sand cactus frontier",
        nouns="desert/in canyon/in dust/in sand/in cactus horse/on saddle/in sun/under trail/on sky/under",
        scenes="wind:blow sun:beat coyotes+:howl dust:rise",
        adjs="dusty lonesome burning wide",
        verbs="ride wander",
        times="at_sundown under_the_sun",
    ),
    "memory": dict(
        triggers="memories memory nostalgia nostalgic past years remember old retro vintage nineties "
                 "eighties seventies throwback yesterday",
        nouns="memory photograph cassette radio/on yesterday years+ picture song letter",
        scenes="radio:play song:play years+:go_by",
        adjs="faded old golden",
        verbs="remember look_back",
        times="back_then long_ago once_upon_a_time",
    ),
    "flight": dict(
        triggers="flying fly flight plane planes airport wings bird birds sky skies pilot",
        nouns="plane/on airport/at runway/on wings+ sky/in clouds+/above bird window/by",
        scenes="engines+:roar wings+:spread birds+:fly",
        adjs="high open wide",
        verbs="fly soar take_off",
        times="tonight at_dawn",
    ),
    "freedom": dict(
        triggers="freedom free escape escaping runaway wild liberty rebel breaking",
        nouns="road/on sky/under wind/in horizon/on chains+ wings+ door/through fire",
        scenes="wind:blow chains+:break fire:burn",
        adjs="free wild open restless",
        verbs="run_away break_free fly",
        times="tonight right_now",
    ),
}

# Always in the pool, lightly weighted: everyday images that fit most songs and give rhymes room.
GENERAL: dict[str, str] = dict(
    nouns="road/on light/in sky/under home door/at window/by world/in way night day time heart/in "
          "fire/by sun/under dark/in rain/in line/on town/in street/on song",
    scenes="sun:rise rain:fall wind:blow light:fade night:fall",
    adjs="long bright old wild",
    verbs="go run stay fly",
    times="tonight today right_now again",
)
