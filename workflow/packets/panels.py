from workflow.journeys.panels import panel
from workflow.packets.operations import packets_of


@panel("journeys/panels/packets.html", order=90)
def packets_panel(journey, user):
    packets = packets_of(journey)
    return {"packets": packets} if packets else None
