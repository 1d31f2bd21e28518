"""The demo's drill: one finished exercise at the PoC site, so that its report shows figures.

Three days ago the mission unit's supervisor started a drill of two simulated attacks; both
alerts reached tier 1 of the serious-incidents policy, marked DRILL. The first was acknowledged
six minutes later, within its 15-minute deadline; nobody took the second, which escalated to
tier 2 after 16 minutes and was acknowledged there nine minutes later. The drill was ended after
an hour. Everything goes through the services at the moment it would have happened.
"""

import datetime

from incidents.alerts.services import alert_acknowledge
from incidents.drills.services import DrillPlan, drill_end, drill_start
from incidents.escalation.services import alert_escalate
from incidents.models import Alert, AlertStatus, IncidentType, Severity
from incidents.policies.selectors import tier_users
from protection.accounts.models import Role, User
from protection.demo.work.incidents import POC, alerts_to_inboxes
from protection.demo.work.mission import Mission, clock

SCENARIO = "Armed men attack the market at the PoC site's north gate"
DAYS_AGO = 3


def _tier_user(alert: Alert, agency_id: int | None) -> User | None:
    """A recipient of the alert's current tier, of the drill's agency when there is one."""
    assert alert.policy is not None
    users = tier_users(alert.policy.tiers.get(level=alert.tier))
    own = [user for user in users if user.agency_id == agency_id]
    return (own or users)[0] if users else None


def drills_seed(mission: Mission) -> int:
    """Run the demo's drill from start to end; return how many drills were run."""
    site = mission.sites[POC]
    supervisor = mission.user("mission", Role.SUPERVISOR)
    start = (mission.now - datetime.timedelta(days=DAYS_AGO)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    with clock(start):
        drill = drill_start(
            actor=supervisor,
            plan=DrillPlan(
                site=site,
                scenario=SCENARIO,
                incident_type=IncidentType.objects.get(code="attack"),
                severity=Severity.SERIOUS,
                incidents=2,
            ),
        )
    alerts = list(Alert.objects.filter(incident__drill=drill).order_by("pk"))
    with clock(start):
        alerts_to_inboxes(alerts)
    for number, alert in enumerate(alerts):
        answered = start + datetime.timedelta(minutes=6)
        if number % 2 == 1:
            escalated = start + datetime.timedelta(minutes=16)
            with clock(escalated):
                alert_escalate(alert_id=alert.pk, now=escalated)
                alert.refresh_from_db()
                alerts_to_inboxes([alert])
            answered = escalated + datetime.timedelta(minutes=9)
        actor = _tier_user(alert, supervisor.agency_id)
        if actor is None or alert.status != AlertStatus.OPEN:
            continue
        with clock(answered):
            alert_acknowledge(actor=actor, alert=alert)
    with clock(start + datetime.timedelta(hours=1)):
        drill_end(actor=supervisor, drill=drill)
    return 1
